"""Focused behaviours of the complaint understanding: one behaviour per test."""
from __future__ import annotations

from crossborder_crm.replies.classify import ShipmentState, classify
from crossborder_crm.replies.language import detect_language, detector
from crossborder_crm.replies.understand import Complaint, understand


def test_negation_removes_the_negated_category():
    result = understand(Complaint("Not damaged, just late.", profile_language="en"))
    assert result.category == "late_delivery"
    assert "damaged" not in result.classification.categories
    assert [e.negated for e in result.classification.evidence if e.category == "damaged"] == [True]


def test_negation_does_not_cross_a_clause():
    result = classify("No, the vase arrived broken", ["en"])
    assert result.category == "damaged"


def test_a_negative_rating_alone_is_evidence_for_other():
    result = understand(Complaint("Terrible.", rating=1, profile_language="en"))
    assert result.category == "other"
    assert [e.detail for e in result.classification.evidence if e.source == "rating"] == ["rating=1"]
    assert result.severity.level == "medium"


def test_late_shipment_in_transit_makes_a_vague_complaint_late_delivery():
    result = classify("Still waiting for my order", ["en"], shipment=ShipmentState("in_transit", days_late=6))
    assert result.category == "late_delivery"
    assert any(e.source == "shipment" and "6 days late" in e.detail for e in result.evidence)


def test_delivered_shipment_keeps_the_complaint_not_received():
    result = classify("Still waiting for my order", ["en"], shipment=ShipmentState("delivered", days_late=0))
    assert result.category == "not_received"
    assert any(e.source == "shipment" and e.detail == "milestone=delivered" for e in result.evidence)


def test_a_lost_parcel_is_not_received_without_any_text_evidence():
    assert classify("???", ["en"], shipment=ShipmentState("exception_lost")).category == "not_received"


def test_a_chargeback_threat_makes_severity_high():
    result = understand(Complaint("Item never arrived. I will file a chargeback with my bank.", profile_language="en"))
    assert result.severity.level == "high"
    assert any(r.startswith("threat:") for r in result.severity.reasons)


def test_a_polite_complaint_is_low_severity():
    assert understand(Complaint("The parcel arrived a bit late, otherwise fine.", rating=4)).severity.level == "low"


def test_shouting_and_exclamations_raise_severity():
    result = understand(Complaint("WHERE IS MY PARCEL!!!", profile_language="en"))
    assert result.severity.level == "medium"
    assert "exclamation marks" in result.severity.reasons


def test_repeat_complaints_raise_severity():
    once = understand(Complaint("Still not received, scam", profile_language="en"))
    again = understand(Complaint("Still not received, scam", profile_language="en", repeat_count=3))
    assert (once.severity.level, again.severity.level) == ("medium", "high")


def test_profile_language_breaks_a_tie_on_a_two_word_text():
    assert detect_language("Pedido cancelado").tag == "pt"  # lingua: pt 0.51, es 0.48
    guess = detect_language("Pedido cancelado", profile_language="es-MX")
    assert (guess.tag, guess.source) == ("es-MX", "profile")


def test_a_confident_detection_beats_the_profile_language():
    guess = detect_language("Das Paket ist leider nie angekommen.", profile_language="en")
    assert (guess.tag, guess.source) == ("de", "detected")


def test_text_without_letters_falls_back_to_the_profile_language():
    assert detect_language("!!! ???", profile_language="pl").tag == "pl"
    assert detect_language("123").tag == "und"


def test_mixed_text_takes_the_language_of_most_words():
    guess = detect_language("Hola, el tracking dice delivered pero no me ha llegado nada. Please check.")
    assert guess.tag == "es"


def test_the_detector_is_built_once():
    assert detector() is detector()


def test_accents_are_optional_in_folded_languages():
    assert classify("nunca llego", ["es"]).category == "not_received"
    assert classify("Nunca llegó", ["es"]).category == "not_received"


def test_russian_stems_match_inflected_forms():
    assert classify("Коробка пришла повреждённой", ["ru"]).category == "damaged"


def test_cjk_terms_match_without_word_boundaries():
    assert classify("我的包裹没收到", ["zh"]).category == "not_received"
    assert classify("サイズが合わないです", ["ja"]).category == "size_fit"


def test_english_terms_are_read_in_any_language():
    result = understand(Complaint("Produkt super, aber ich musste customs bezahlen"))
    assert result.category == "customs_duties"
