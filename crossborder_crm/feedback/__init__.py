"""Delivery feedback: bounces and complaints from mail providers' webhooks and from DSNs in a bounce
mailbox, stored raw, matched to our messages and turned into suppressions."""
