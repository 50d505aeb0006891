"""The case record in a browser: a document attached and downloaded, the case
summary printed in Kyrgyz."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_journey import no_errors, open_form, register_case, sign_in, submit

#: A small real PDF (the bytes must come back unchanged).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")



def test_a_document_round_trips_and_the_summary_prints_in_kyrgyz(new_page, live_app, base_url):
    coordinator = new_page()
    sign_in(coordinator, "coordinator.sokuluk")
    case_path = register_case(coordinator).removeprefix(base_url)

    upload = open_form(coordinator, "attach-document")
    upload.locator('select[name="kind"]').select_option("certificate")
    upload.locator('input[name="file"]').set_input_files(
        {"name": "справка Айгүл.pdf", "mimeType": "application/pdf", "buffer": PDF})
    submit(upload)
    no_errors(coordinator)
    link = coordinator.locator('#documents a[href^="/documents/"]')
    assert link.inner_text().strip() == "справка Айгүл.pdf"
    download = coordinator.context.request.get(link.get_attribute("href"))
    assert download.status == 200
    assert download.body() == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"

    # A renamed executable is refused with a message, and nothing is listed.
    upload = open_form(coordinator, "attach-document")
    upload.locator('input[name="file"]').set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64})
    submit(upload)
    assert coordinator.locator(".flash-error, .error").count() >= 1
    assert coordinator.locator('#documents a[href^="/documents/"]').count() == 1

    # The lead agency prints the case summary, in Kyrgyz.
    coordinator.goto(case_path + "?lang=ky")
    check_both_widths(coordinator)
    summary = coordinator.locator('#print a[href$="/summary.pdf"]').get_attribute("href")
    pdf = coordinator.context.request.get(summary)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Айгүл" in text and "КУПУЯ" in text
    for letter in ("ң", "ө", "ү"):
        assert letter in text


def test_the_printed_case_page_has_no_forms_and_a_confidentiality_header(
        new_page, live_app, base_url):
    coordinator = new_page()
    sign_in(coordinator, "coordinator.sokuluk")
    register_case(coordinator)
    header = coordinator.locator(".print-header")
    contact = coordinator.locator("td.restricted-contact").first
    # On screen: the forms (one opened from its link), the navigation and
    # the survivor's phone, no header.
    form = open_form(coordinator, "add-person")
    assert form.is_visible()
    assert contact.is_visible() and "+996 555 123456" in contact.inner_text()
    assert not header.is_visible()

    coordinator.emulate_media(media="print")
    for selector in ("form", "button", "nav", "header.topbar", ".restricted-contact"):
        shown = coordinator.locator(selector).evaluate_all(
            "nodes => nodes.filter(n => n.checkVisibility()).length")
        assert shown == 0, selector
    assert header.is_visible() and coordinator.locator(".print-footer").is_visible()
    assert "Do not copy or pass on." in header.inner_text()
