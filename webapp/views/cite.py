"""« Citer cette intervention »: permalink, a French reference with « p. N », CSL-JSON and BibTeX."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, abort, request, url_for

from indexer.people import fold, surname_of

from ..filters import date_fr
from .common import anchor as anchor_of, store


def citation(session_id: str, anchor: str) -> dict[str, Any] | None:
    record = store().record(session_id)
    if record is None:
        return None
    speech = next((sp for sp in record.speeches if anchor_of(sp.id) == anchor), None)
    if speech is None:
        return None
    s = record.session
    item = record.item(speech.item)
    host = request.host_url.rstrip("/")
    permalink = host + url_for("sessions.session", session_id=s.id, _anchor=anchor)
    family = surname_of(speech.speaker) or speech.speaker
    given = " ".join(w for w in speech.speaker.split() if w not in family.split())
    title = f"Intervention de {speech.speaker}" + (f" — {item.title.rstrip(' |')}" if item else "")
    where = f"{s.body}, séance du {date_fr(s.date)}"
    page = f", p. {speech.page}" if speech.page else ""
    text = f"{speech.speaker}, « {title} », {where}, procès-verbal{page}. En ligne : {permalink}"
    csl = {"id": speech.id, "type": "speech", "title": title,
           "author": [{"family": family, "given": given}] if given else [{"literal": speech.speaker}],
           "container-title": f"Procès-verbal de la séance du {date_fr(s.date)}", "publisher": s.body,
           "event-title": f"{s.body} — {s.kind}" if s.kind else s.body,
           "issued": {"date-parts": [[int(x) for x in s.date.split("-")]]} if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.date or "") else {},
           "URL": permalink, "language": "fr"}
    if speech.page:
        csl["page"] = str(speech.page)
    key = re.sub(r"[^a-z0-9]+", "", fold(family))[:20] + (s.date or "").replace("-", "") + anchor
    fields = {"author": f"{{{family}}}, {given}" if given else f"{{{speech.speaker}}}", "title": f"{{{title}}}",
              "howpublished": f"{{{where}, procès-verbal}}", "year": (s.date or "")[:4], "url": permalink,
              "pages": str(speech.page) if speech.page else "", "language": "french"}
    bib = "@misc{" + key + ",\n" + ",\n".join(f"  {k} = {{{v}}}" if not v.startswith("{") else f"  {k} = {v}"
                                               for k, v in fields.items() if v) + "\n}\n"
    return {"page": "citer", "speech": {"id": speech.id, "speaker": speech.speaker, "page": speech.page,
                                        "title": title}, "session": {"id": s.id, "date": s.date, "body": s.body},
            "permalink": permalink, "text": text, "csl": csl, "bibtex": bib,
            "downloads": {"csl": url_for("sessions.cite_csl", session_id=s.id, anchor=anchor),
                          "bibtex": url_for("sessions.cite_bib", session_id=s.id, anchor=anchor)}}


def csl_response(data: dict[str, Any] | None) -> Response:
    if data is None:
        abort(404)
    body = json.dumps([data["csl"]], ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/vnd.citationstyles.csl+json")
    response.headers["Content-Disposition"] = f'attachment; filename="{data["speech"]["id"].replace("/", "-")}.csl.json"'
    return response


def bib_response(data: dict[str, Any] | None) -> Response:
    if data is None:
        abort(404)
    response = Response(data["bibtex"], mimetype="application/x-bibtex")
    response.headers["Content-Disposition"] = f'attachment; filename="{data["speech"]["id"].replace("/", "-")}.bib"'
    return response
