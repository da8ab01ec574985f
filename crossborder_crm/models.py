"""Imports every model so the metadata is complete (Alembic, tests)."""
from crossborder_crm.accounts.models import ApiToken, LoginThrottle, Seller, User, WebhookSecret  # noqa: F401
from crossborder_crm.buyers.models import Activity, Buyer, BuyerIdentity, BuyerSpend, BuyerTag, Order, OrderItem  # noqa: F401
from crossborder_crm.campaigns.models import Campaign, SavedAudience  # noqa: F401
from crossborder_crm.db import Base  # noqa: F401
from crossborder_crm.feedback.models import DeliveryEvent, FeedbackNonce  # noqa: F401
from crossborder_crm.i18n.translation_models import CachedTranslation  # noqa: F401
from crossborder_crm.marketplaces.models import WebhookDelivery  # noqa: F401
from crossborder_crm.outbox.models import JobLock, Message, MessageEvent, SendLog, SendRate, Suppression  # noqa: F401,E501
from crossborder_crm.replies.models import DraftEvent, EventOutcome, ReplyDraft, ReplyPolicy, SavedReply  # noqa: F401
from crossborder_crm.shipments.models import Checkpoint, Incident, Shipment  # noqa: F401
