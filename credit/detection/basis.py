"""The legal texts the flags cite, by their id in the one catalogue (credit/legal)."""

from __future__ import annotations

from credit.legal import text

ART18 = text("REGS-18-1")
ART18_INVALID = text("REGS-18-1-INVALID")
COMMON_CONTROLLER = text("POLICY-COMMON-CONTROLLER")
ART37_1 = text("ORDER87-37-1")
ART37_2 = text("ORDER87-37-2")
ART37_3 = text("ORDER87-37-3")
ART37_4 = text("ORDER87-37-4")
ART37_6 = text("ORDER87-37-6")
ART74 = text("REGS-74")
ART74_BUYER = text("REGS-74-7-BUYER")
ART9 = text("REGS-9")
ART77_BAN = text("GPL-77-SUCCESSOR")
SCREENS = text("SCREENS")
DEVICE = text("ORDER87-37-DEVICE")
STAFF = text("ORDER87-37-STAFF")
ART74_GROUP = text("REGS-74-4")
