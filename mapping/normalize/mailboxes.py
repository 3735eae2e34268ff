"""Mailbox data the email normaliser reads: providers' address rules, role addresses, free-mail domains.

Tables only, so a reader can check each rule against its source and extend
the lists without touching code. Domains are ASCII registrable domains; a
"brand" matches its label under any public suffix ("yahoo" covers yahoo.com,
yahoo.co.uk and yahoo.co.jp).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MailboxProvider:
    """How one provider maps many written addresses onto one mailbox."""

    name: str
    domains: frozenset[str]
    brands: frozenset[str] = frozenset()
    canonical_domain: str | None = None  # the provider's domains are one namespace: key them on this one
    tag_separator: str | None = "+"  # user+tag@ reaches user@
    ignored_characters: str = ""  # characters the provider does not count in a user name
    source: str = ""


PROVIDERS: tuple[MailboxProvider, ...] = (
    MailboxProvider(
        "Google", frozenset({"gmail.com", "googlemail.com"}), canonical_domain="gmail.com", ignored_characters=".",
        source="Gmail Help: 'Dots don't matter in Gmail addresses' and 'Create task-specific email addresses' "
        "(user+anything@gmail.com); googlemail.com is the same service under its old name (UK, DE).",
    ),
    MailboxProvider(
        "Microsoft", frozenset({"outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com"}),
        brands=frozenset({"outlook", "hotmail", "live"}),
        source="Outlook.com accepts user+tag@ since 2013 (Microsoft, reported by ZDNet 2020 when Exchange Online "
        "followed); dots count, and hotmail.com / outlook.com are separate namespaces.",
    ),
    MailboxProvider(
        "Apple", frozenset({"icloud.com", "me.com", "mac.com"}), canonical_domain="icloud.com",
        source="Apple Support 118230 'About your @icloud.com, @me.com, and @mac.com email addresses' (one user name, "
        "one account across the three); iCloud Mail delivers user+tag@ to user@ (receive only).",
    ),
    MailboxProvider(
        "Proton", frozenset({"protonmail.com", "protonmail.ch", "proton.me", "pm.me"}),
        canonical_domain="protonmail.com", ignored_characters="._-",
        source="Proton Support 'How to change your username' ('.', '_' and '-' are transparent: username is the "
        "same as user_name and user.name) and 'Types of email addresses and aliases' (+aliases; pm.me is the "
        "short form of the same address).",
    ),
    MailboxProvider(
        "Fastmail", frozenset({"fastmail.com", "fastmail.fm"}),
        source="Fastmail Help 'Plus addressing and subdomain addressing' (user+tag@fastmail.com).",
    ),
    MailboxProvider(
        "Yahoo", frozenset({"ymail.com", "rocketmail.com"}), brands=frozenset({"yahoo"}), tag_separator="-",
        source="Yahoo Mail disposable addresses (AddressGuard): basename-keyword@yahoo.com, the dash reserved for "
        "them. The base name is chosen apart from the account name, so dropping '-keyword' groups a person's "
        "disposable addresses with each other, not with their main address; Yahoo has no '+' addressing.",
    ),
)

# Shared mailboxes, compared without separators and tags ("no-reply", "no_reply" and "noreply" alike):
# an address here names a team, not a person, so it must not link two people.
ROLE_LOCAL_PARTS: frozenset[str] = frozenset({
    "abuse", "accounting", "accounts", "accountspayable", "admin", "administrator", "billing",
    "bookings", "careers", "compliance", "contact", "contactus", "customercare", "customerservice",
    "customersupport", "devnull", "donotreply", "enquiries", "enquiry", "events", "feedback", "finance",
    "hello", "help", "helpdesk", "hostmaster", "hr", "info", "information", "inquiries", "inquiry",
    "invoice", "invoices", "it", "jobs", "legal", "mailerdaemon", "marketing", "news",
    "newsletter", "noreply", "noc", "notifications", "office", "ops", "operations", "orders", "partners",
    "payments", "postmaster", "press", "privacy", "procurement", "purchasing", "reception", "recruiting",
    "recruitment", "root", "sales", "security", "service", "services", "shop", "staff", "support", "sysadmin",
    "team", "webmaster", "welcome",
    # the same mailboxes in the languages of the countries loophub's customers sell to
    "anfragen", "buchhaltung", "empfang", "kontakt", "rechnung", "vertrieb", "verkauf",  # de
    "accueil", "commercial", "compta", "comptabilite", "facturation",  # fr
    "ventas", "contacto", "facturacion", "administracion",  # es
    "vendite", "amministrazione", "contatti", "commerciale",  # it
    "verkoop", "boekhouding", "klantenservice",  # nl
    "kundtjanst", "forsaljning", "myynti", "asiakaspalvelu",  # sv, fi
    "contato", "vendas", "financeiro",  # pt
})

# Consumer mailbox providers, global and national (ISPs included): an address here says nothing about
# which company a person works for, and such a domain must never become a company's match key.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    # global
    "gmail.com", "googlemail.com", "ymail.com", "rocketmail.com", "msn.com", "passport.com", "aol.com",
    "aim.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "protonmail.ch", "proton.me", "pm.me",
    "tutanota.com", "tutanota.de", "tuta.io", "tuta.com", "fastmail.com", "fastmail.fm", "hey.com", "zoho.com",
    "zohomail.com", "mail.com", "email.com", "usa.com", "inbox.com", "hushmail.com", "mailfence.com",
    "gmx.com", "gmx.net",
    # North America
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net",
    "earthlink.net", "juno.com", "rogers.com", "shaw.ca", "sympatico.ca", "telus.net", "videotron.ca",
    # Europe
    "web.de", "t-online.de", "freenet.de", "posteo.de", "mailbox.org", "arcor.de",
    "btinternet.com", "sky.com", "virginmedia.com", "ntlworld.com", "talktalk.net", "blueyonder.co.uk",
    "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "neuf.fr",
    "ziggo.nl", "kpnmail.nl", "planet.nl", "hetnet.nl", "home.nl", "telenet.be", "skynet.be",
    "libero.it", "virgilio.it", "tiscali.it", "alice.it", "tim.it", "telefonica.net", "terra.es",
    "telia.com", "suomi24.fi", "bluewin.ch", "eircom.net", "seznam.cz", "email.cz", "wp.pl", "o2.pl",
    "interia.pl", "onet.pl", "op.pl",
    # Russia, Asia, Pacific, South America
    "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "ya.ru",
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com",
    "naver.com", "daum.net", "hanmail.net", "rediffmail.com", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp",
    "nifty.com", "bigpond.com", "bigpond.net.au", "optusnet.com.au", "iinet.net.au",
    "uol.com.br", "bol.com.br", "terra.com.br", "ig.com.br",
})
FREE_MAIL_BRANDS: frozenset[str] = frozenset({"yahoo", "hotmail", "outlook", "live", "aol", "gmx", "yandex"})
