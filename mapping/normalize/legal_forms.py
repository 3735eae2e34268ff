"""Legal forms companies append to their names, by country (data only).

Written as people write them; companies.py folds each into the same tokens
as a name ("S.à r.l." and "Sarl" both become "sarl"), so spelling variants
need not all be listed. Left out on purpose: forms that are also common words
or names at the end of a brand ("ME", "PC", "CV", "UC", Danish "I/S" read as "is").
"""

from __future__ import annotations

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "US": (
        "Inc", "Incorporated", "Corp", "Corporation", "Co", "Company", "LLC", "L.L.C.", "LP", "L.P.", "LLP",
        "L.L.L.P.", "PLLC", "P.L.L.C.", "Ltd", "Limited", "N.A.",
    ),
    "GB": ("Ltd", "Limited", "PLC", "P.L.C.", "LLP", "LP", "CIC", "Limited Liability Partnership"),
    "IE": ("DAC", "CLG", "Teoranta", "Teo", "Unlimited Company"),
    "CA": ("Ltée", "Limitée", "Inc", "Ltd", "Corp", "ULC"),
    "DE": (
        "GmbH", "mbH", "AG", "KG", "OHG", "oHG", "GbR", "e.K.", "e.V.", "eG", "KGaA", "SE", "UG",
        "UG (haftungsbeschränkt)", "GmbH & Co. KG", "GmbH & Co. KGaA", "AG & Co. KG", "SE & Co. KG", "gGmbH",
        "Gesellschaft mbH", "Aktiengesellschaft",
    ),
    "AT": ("GesmbH", "Ges.m.b.H.", "OG"),
    "CH": ("AG", "GmbH", "SA", "Sàrl", "S.à r.l."),
    "FR": ("SA", "S.A.", "SAS", "S.A.S.", "SASU", "SARL", "S.A.R.L.", "EURL", "SCI", "SNC", "SCOP", "SE"),
    "BE": ("BVBA", "SPRL", "SRL", "VZW", "ASBL", "CVBA", "NV", "BV"),
    "NL": ("B.V.", "BV", "N.V.", "NV", "V.O.F.", "VOF", "C.V."),
    "LU": ("S.à r.l.", "S.a.r.l.", "SCS", "SCA"),
    "IT": ("S.p.A.", "SpA", "S.r.l.", "Srl", "S.r.l.s.", "S.a.s.", "S.n.c.", "S.c.a.r.l."),
    "ES": ("S.A.", "S.L.", "SL", "S.L.U.", "SLU", "S.A.U.", "S.Coop.", "S.L.L."),
    "PT": ("Lda", "Lda.", "S.A."),
    "BR": ("Ltda", "Ltda.", "S.A.", "S/A", "EIRELI", "Eireli"),
    "MX": ("S.A. de C.V.", "S. de R.L. de C.V.", "S.A.B. de C.V.", "S.A.P.I. de C.V.", "S. de R.L."),
    "SE": ("AB", "AB (publ)", "Aktiebolag", "HB", "KB"),
    "NO": ("AS", "ASA", "A/S"),
    "DK": ("A/S", "ApS", "P/S", "K/S"),
    "FI": ("Oy", "Oyj", "Ab", "Ky", "Osakeyhtiö"),
    "PL": ("Sp. z o.o.", "Sp. z.o.o.", "Spółka z o.o.", "S.A.", "Sp.k.", "Sp.j.", "S.K.A."),
    "CZ": ("s.r.o.", "spol. s r.o.", "a.s.", "v.o.s."),
    "SK": ("s.r.o.", "a.s."),
    "HU": ("Kft", "Kft.", "Zrt", "Zrt.", "Nyrt", "Nyrt."),
    "RO": ("S.R.L.", "S.A."),
    "GR": ("A.E.", "E.P.E.", "I.K.E."),
    "TR": ("A.Ş.", "Ltd. Şti."),
    "RU": ("OOO", "AO", "PAO", "ZAO", "OAO"),
    "AU": ("Pty Ltd", "Pty. Ltd.", "Pty Limited", "Proprietary Limited", "Pty", "Ltd", "Limited"),
    "NZ": ("Ltd", "Limited"),
    "ZA": ("(Pty) Ltd", "Pty Ltd", "Inc", "NPC", "SOC Ltd"),
    "JP": (
        "K.K.", "KK", "Kabushiki Kaisha", "Kabushiki Gaisha", "Co., Ltd.", "Co. Ltd", "G.K.", "Godo Kaisha",
        "Y.K.", "Yugen Kaisha", "Inc.",
    ),
    "CN": ("Co., Ltd.", "Co. Ltd", "Ltd"),
    "KR": ("Co., Ltd.", "Corp"),
    "SG": ("Pte Ltd", "Pte. Ltd.", "Private Limited", "Pte"),
    "MY": ("Sdn Bhd", "Sdn. Bhd.", "Bhd", "Berhad", "Sendirian Berhad"),
    "IN": ("Pvt Ltd", "Pvt. Ltd.", "Private Limited", "Pvt", "LLP", "Ltd"),
    "ID": ("Tbk", "Tbk."),
    "IL": ("Ltd", "Limited"),
    "AR": ("S.A.", "S.R.L.", "S.A.S."),
    "CL": ("S.A.", "Ltda", "SpA", "EIRL"),
    "CO": ("S.A.S.", "Ltda", "S.A."),
}
