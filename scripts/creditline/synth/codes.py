"""Code lists shared by the simulation and the table builders (positions are the codes)."""

PRODUCTS = ("CASH", "CONSUMER")
EVENT_TYPES = ("open", "increase", "decrease", "freeze", "unfreeze", "close", "reopen")
REASONS = (
    "NEW_LINE",
    "OVERDUE",
    "HIGH_UTILIZATION",
    "MULTI_BORROWING",
    "SCORE_DROP",
    "INACTIVITY",
    "LINKED_PRODUCT",
    "FRAUD_SUSPECTED",
    "POLICY_TIGHTENING",
    "RISK_REVIEW",
    "CUSTOMER_REQUEST",
    "GOOD_BEHAVIOUR",
    "REOPEN_CAMPAIGN",
    "APPEAL_APPROVED",
    "PERIODIC_REVIEW",
)
INITIATORS = ("system", "risk_engine", "manual_review", "customer", "marketing")
INSTITUTIONS = (
    "bank",
    "credit_card",
    "consumer_finance",
    "online_lender",
    "microloan",
    "own_platform",
)
METHODS = ("equal_installment", "equal_principal")

OPEN, INCREASE, DECREASE, FREEZE, UNFREEZE, CLOSE, REOPEN = range(7)
(
    NEW_LINE,
    OVERDUE,
    HIGH_UTILIZATION,
    MULTI_BORROWING,
    SCORE_DROP,
    INACTIVITY,
    LINKED_PRODUCT,
    FRAUD_SUSPECTED,
    POLICY_TIGHTENING,
    RISK_REVIEW,
    CUSTOMER_REQUEST,
    GOOD_BEHAVIOUR,
    REOPEN_CAMPAIGN,
    APPEAL_APPROVED,
    PERIODIC_REVIEW,
) = range(15)
SYSTEM, RISK_ENGINE, MANUAL_REVIEW, CUSTOMER, MARKETING = range(5)
OWN_PLATFORM = 5

# Line status in the simulation.
NO_LINE, LINE_OPEN, LINE_FROZEN, LINE_CLOSED = range(4)
# Repayment behaviour of a line in a month.
# PAY_PARTIAL: in arrears, pays this month's due (the oldest arrears, first in, first out)
PAY_OK, PAY_LATE, PAY_ARREARS, PAY_CURE, PAY_CHARGED_OFF, PAY_PARTIAL = range(6)
