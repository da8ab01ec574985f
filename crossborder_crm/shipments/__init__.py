"""Shipments: parcels of orders, canonical milestones, notices, stalled and late parcels, incidents."""
