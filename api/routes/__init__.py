"""One router per area; `api.app` mounts them. A new area (KPIs, admin) adds a module and one line there."""
