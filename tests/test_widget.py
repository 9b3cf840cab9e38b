"""The Jupyter widgets without a kernel: traits, validation, store round trips."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import traitlets

import annotate
from annotate.article import load_article
from annotate.jupyter.classmates import ClassLink

from .conftest import ROOT

ARTICLE = load_article(ROOT / "chapters" / "article.md")
WORDS = "Hegseth pledged to expedite the establishment"


def span(words: str) -> tuple[int, int]:
    start = ARTICLE.text.index(words)
    return start, start + len(words)


def send(widget: Any, message: dict[str, Any]) -> list[Any]:
    """Deliver a front-end message; returns what the widget sent back."""
    sent: list[Any] = []
    widget.send = sent.append
    widget._on_message(widget, message, [])
    return sent


def create(hl: Any, words: str, **draft: Any) -> None:
    start, end = span(words)
    base = {"start": start, "end": end, "claimType": "factual", "status": None, "note": ""}
    assert send(hl, {"action": "create", "draft": {**base, **draft}}) == []


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    return tmp_path / "reader.db"


def test_traits_describe_the_article(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana")
    assert hl.text == ARTICLE.text
    assert [b["kind"] for b in hl.blocks][:2] == ["headline", "dek"]
    assert hl.vocabulary["claimTypes"][0]["label"] == "Factual claim"
    assert len(hl.editor_claims) == len(ARTICLE.claims) >= 8
    assert hl.highlights == []


def test_create_update_delete_undo_persist(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana")
    seen: list[int] = []
    hl.on_change(lambda anns: seen.append(len(anns)))
    create(hl, WORDS, note="<img src=x onerror=alert(1)>", status="needs-checking")
    (ann,) = hl.annotations
    assert (ann.exact, ann.claim_type, ann.creator) == (WORDS, "factual", "Ana")
    assert ann.note == "<img src=x onerror=alert(1)>"  # kept as text, shown as text
    draft = {
        "start": ann.start,
        "end": ann.end,
        "claimType": "opinion",
        "status": "disputed",
        "note": "changed",
    }
    send(hl, {"action": "update", "id": ann.id, "draft": draft})
    assert (hl.annotations[0].claim_type, hl.annotations[0].note) == ("opinion", "changed")
    assert hl.annotations[0].created == ann.created
    send(hl, {"action": "delete", "id": ann.id})
    assert hl.annotations == [] and hl.highlights == []
    send(hl, {"action": "restore", "highlight": {"id": ann.id}})
    assert [a.id for a in hl.annotations] == [ann.id]
    assert seen == [1, 1, 0, 1]
    # A new widget over the same store (a restarted kernel) shows the same.
    again = annotate.ClaimHighlighter(ARTICLE, store=store)
    assert [(a.id, a.note) for a in again.annotations] == [(ann.id, "changed")]
    assert again.highlights[0]["claimType"] == "opinion"


@pytest.mark.parametrize(
    ("draft", "reason"),
    [
        ({"start": 5, "end": 5}, "outside"),
        ({"start": -1, "end": 4}, "outside"),
        ({"start": 0, "end": 10**6}, "outside"),
        ({"claimType": "rumour"}, "claim type"),
        ({"status": "maybe"}, "status"),
        ({"note": "x" * 100_001}, "100 KB"),
    ],
)
def test_bad_drafts_are_refused_with_a_message(
    store: Path, draft: dict[str, Any], reason: str
) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    start, end = span(WORDS)
    base = {"start": start, "end": end, "claimType": None, "status": None, "note": ""}
    replies = send(hl, {"action": "create", "draft": {**base, **draft}})
    assert replies and reason in replies[0]["error"]
    assert hl.annotations == []


def test_highlights_trait_validates_invariants(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    with pytest.raises(traitlets.TraitError, match="outside"):
        hl.highlights = [{"id": "x", "start": 10, "end": 5, "claimType": None, "status": None}]
    with pytest.raises(traitlets.TraitError, match="claim type"):
        hl.highlights = [{"id": "x", "start": 1, "end": 5, "claimType": "gossip", "status": None}]


def test_orphans_are_listed_apart_and_reattached(store: Path, tmp_path: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    create(hl, "notably refrained from commenting", note="vague")
    # The chapter is edited: those words are gone.
    edited = tmp_path / "book"
    (edited / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", edited / "_config.yml")
    text = (ROOT / "chapters" / "article.md").read_text(encoding="utf-8")
    text = text.replace(
        "{claim}`notably refrained from commenting <notably-refrained:framing>`", "declined"
    )
    (edited / "chapters" / "article.md").write_text(text, encoding="utf-8")
    article = load_article(edited / "chapters" / "article.md")
    later = annotate.ClaimHighlighter(article, store=store)
    (orphan,) = later.annotations
    assert orphan.orphan and later.highlights[0]["orphan"] is True
    start = article.text.index("declined")
    send(later, {"action": "reattach", "id": orphan.id, "start": start, "end": start + 8})
    assert later.annotations[0].exact == "declined" and not later.annotations[0].orphan


def test_to_w3c_meets_the_w3c_musts(store: Path, tmp_path: Path, w3c_checker: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    create(hl, WORDS, note="n", status="supported")
    create(hl, "Striking a determined tone", claimType="opinion")
    data = hl.to_w3c()
    assert data["type"] == "AnnotationCollection" and data["total"] == 2
    checker = w3c_checker
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(checker), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_reader_notes_on_paragraphs_and_article(store: Path, tmp_path: Path) -> None:
    notes = annotate.ReaderNotes(ARTICLE, store=store, reader="Ben")
    on_dek = notes.add("The dek takes a side.", paragraph=1)
    whole = notes.add("Compare with the Pentagon's readout.")
    dek = ARTICLE.blocks[1]
    assert (on_dek.start, on_dek.end) == (dek.start, dek.end)
    assert (whole.start, whole.end) == (0, len(ARTICLE.text))
    assert [n["index"] for n in notes.notes] == [-1, 1]
    notes.edit(on_dek.id, "Edited <b>note</b>")
    assert notes.list()[1].note == "Edited <b>note</b>"
    exported = json.loads(notes.export(tmp_path / "notes.json").read_text(encoding="utf-8"))
    assert exported["total"] == 2
    notes.delete(whole.id)
    assert [a.id for a in notes.list()] == [on_dek.id]
    with pytest.raises(ValueError, match="empty"):
        notes.add("   ")
    # Paragraph notes are not painted as claim highlights.
    assert annotate.ClaimHighlighter(ARTICLE, store=store).annotations == []


def test_reader_notes_messages(store: Path) -> None:
    notes = annotate.ReaderNotes(ARTICLE, store=store)
    assert send(notes, {"action": "add", "index": 2, "note": "first paragraph"}) == []
    (n,) = notes.notes
    assert send(notes, {"action": "edit", "id": n["id"], "note": ""})[0]["error"]
    send(notes, {"action": "delete", "id": n["id"]})
    assert notes.notes == []


def test_stored_orphan_flag_survives(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    create(hl, WORDS)
    with annotate.Store(store) as s:
        (a,) = s.list()
        s.add(replace(a, orphan=True))
    again = annotate.ClaimHighlighter(ARTICLE, store=store)
    # Its words are still there: loading re-anchors it and clears the flag.
    assert not again.annotations[0].orphan


def test_the_palette_learns_the_models_note_limit(store: Path) -> None:
    """One limit, from the model: the widget's palette refuses what Python would."""
    from annotate.model import NOTE_LIMIT

    hl = annotate.ClaimHighlighter(ARTICLE, store=store)
    assert hl.vocabulary["noteLimit"] == NOTE_LIMIT
    create(hl, WORDS, note="é" * (NOTE_LIMIT // 2))  # exactly the limit in UTF-8 bytes
    start, end = span("Striking a determined tone")
    draft = {"start": start, "end": end, "claimType": None, "status": None}
    sent = send(hl, {"action": "create", "draft": {**draft, "note": "x" * (NOTE_LIMIT + 1)}})
    assert sent and len(hl.annotations) == 1


# -- In a class (annotate join): sync against a real annotate serve -----------------


@pytest.fixture(scope="module")
def class_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from .sync_fixtures import live_server

    request = type("Param", (), {"param": "sqlite"})()
    yield from live_server(request, tmp_path_factory.mktemp("server"))  # type: ignore[arg-type]


def test_a_joined_highlighter_syncs_and_shows_classmates(class_server: Any, store: Path) -> None:
    from annotate.model import Annotation
    from annotate.sync import ClassClient

    made = class_server.new_class()
    ana = class_server.student(made, "Ana")
    ben = class_server.student(made, "Ben")
    start, end = span(WORDS)
    theirs = Annotation.new(
        source=ARTICLE.source, text=ARTICLE.text, start=start, end=end, note="Ben: expedite?"
    )
    with ClassClient(ben) as client:
        iri, _, _ = client.create(theirs.to_w3c())
        client.create(
            {
                "type": "Annotation",
                "target": iri,
                "body": [{"type": "TextualBody", "value": "Good question", "purpose": "replying"}],
            }
        )
    ana.save()  # annotate join, for this test's home folder
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana")
    try:
        create(hl, "the establishment", note="mine")
        assert "Synced" in hl.sync_now()
        seen = [
            (c["creator"], c["note"], c["exact"], [(r["creator"], r["note"]) for r in c["replies"]])
            for c in hl.classmates
        ]
        assert seen == [("Ben", "Ben: expedite?", WORDS, [("Ben", "Good question")])]
        assert (hl.classmates[0]["start"], hl.classmates[0]["end"]) == (start, end)
        assert [h["note"] for h in hl.highlights] == ["mine"]  # classmates stay apart
        with ClassClient(ben) as client:
            assert [Annotation.from_w3c(i).note for i in client.list(ARTICLE.source)] == [
                "Ben: expedite?",
                "Good question",
                "mine",
            ]
    finally:
        if hl._class is not None:
            hl._class.worker.stop()


def test_visibility_per_note_and_replies_go_up(class_server: Any, store: Path) -> None:
    from annotate.model import Annotation
    from annotate.sync import ClassClient

    made = class_server.new_class()
    ana = class_server.student(made, "Ana")
    ben = class_server.student(made, "Ben")
    start, end = span(WORDS)
    theirs = Annotation.new(source=ARTICLE.source, text=ARTICLE.text, start=start, end=end)
    with ClassClient(ben) as client:
        ben_iri, _, _ = client.create(theirs.to_w3c())
    ana.save()
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana", sync=False)
    hl._class = ClassLink(hl, hl._store, ARTICLE, ana)  # no worker: this test syncs by hand
    hl.joined = True
    create(hl, "the establishment", note="for the teacher", audience="teacher")
    (mine,) = hl.highlights
    assert (mine["audience"], mine["iri"], mine["replies"]) == ("teacher", None, [])
    assert mine["modified"] == hl.annotations[0].modified != ""
    hl.sync_now()
    (mine,) = hl.highlights
    assert mine["iri"] is not None and mine["iri"].startswith(class_server.url)
    assert send(hl, {"action": "reply", "target": ben_iri, "note": "Which command?"}) == []
    assert send(hl, {"action": "reply", "target": mine["iri"], "note": "Self-check"}) == []
    (other,) = hl.classmates
    assert [(r["note"], r["waiting"]) for r in other["replies"]] == [("Which command?", True)]
    hl.sync_now()
    (other,) = hl.classmates
    assert [(r["creator"], r["note"], r["waiting"]) for r in other["replies"]] == [
        ("Ana", "Which command?", False)
    ]
    assert [r["note"] for r in hl.highlights[0]["replies"]] == ["Self-check"]
    with ClassClient(class_server.teacher(made)) as client:
        seen = {i["id"]: i for i in client.list(ARTICLE.source)}
    assert seen[mine["iri"]]["audience"]["schema:audienceType"] == "teacher"
    replies = [i for i in seen.values() if i.get("motivation") == "replying"]
    assert sorted(r["target"] for r in replies) == sorted([ben_iri, mine["iri"]])
    with ClassClient(ben) as client:  # a note for the teacher is not the class's
        assert mine["iri"] not in {i["id"] for i in client.list(ARTICLE.source)}
    hl.sync_now()  # nothing goes up twice
    with ClassClient(ben) as client:
        assert len([i for i in client.list(None) if i.get("motivation") == "replying"]) == 1


def test_a_readers_own_reply_is_edited_and_deleted(class_server: Any, store: Path) -> None:
    from annotate.model import Annotation
    from annotate.sync import ClassClient

    made = class_server.new_class()
    ana, ben = class_server.student(made, "Ana"), class_server.student(made, "Ben")
    start, end = span(WORDS)
    theirs = Annotation.new(source=ARTICLE.source, text=ARTICLE.text, start=start, end=end)
    with ClassClient(ben) as client:
        ben_iri, _, _ = client.create(theirs.to_w3c())
        reply = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "motivation": "replying",
            "target": ben_iri,
            "body": [{"type": "TextualBody", "value": "Ben's own reply", "purpose": "commenting"}],
        }
        client.create(reply)
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana", sync=False)
    hl._class = ClassLink(hl, hl._store, ARTICLE, ana)  # no worker: this test syncs by hand
    hl.joined = True
    hl.sync_now()
    assert send(hl, {"action": "reply", "target": ben_iri, "note": "Wich command?"}) == []
    hl.sync_now()
    (other,) = hl.classmates
    bens, mine = sorted(other["replies"], key=lambda r: r["creator"] != "Ben")
    assert (bens["mine"], mine["mine"], mine["note"]) == (False, True, "Wich command?")
    refused = send(hl, {"action": "reply-edit", "id": bens["id"], "note": "mine now"})
    assert refused and "only your own replies" in refused[0]["error"]

    assert send(hl, {"action": "reply-edit", "id": mine["id"], "note": " Which command? "}) == []
    hl.sync_now()

    def on_server() -> list[str]:
        with ClassClient(class_server.teacher(made)) as client:
            items = client.list(ARTICLE.source)
        return sorted(
            b["value"] for i in items if i.get("motivation") == "replying" for b in i["body"]
        )

    assert on_server() == ["Ben's own reply", "Which command?"]
    assert send(hl, {"action": "reply-delete", "id": mine["id"]}) == []
    hl.sync_now()
    assert on_server() == ["Ben's own reply"]
    (other,) = hl.classmates
    assert [r["note"] for r in other["replies"]] == ["Ben's own reply"]


def test_a_reply_needs_a_thread_in_the_class(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana", sync=False)
    sent = send(hl, {"action": "reply", "target": "http://x/classes/c/annotations/1", "note": "hi"})
    assert sent and "in the class" in sent[0]["error"]
    start, end = span(WORDS)
    draft = {"start": start, "end": end, "claimType": None, "status": None, "audience": "world"}
    assert "unknown visibility" in send(hl, {"action": "create", "draft": draft})[0]["error"]


def test_offline_the_highlighter_counts_waiting_changes(store: Path) -> None:
    from annotate.sync import Membership

    Membership("http://127.0.0.1:9", "c", "http://127.0.0.1:9/classes/c/annotations/", "t").save()
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana")
    try:
        create(hl, "the establishment")
        create(hl, "Hegseth pledged")
        assert hl.sync_now() == "Offline: saved on this computer · 2 changes waiting"
    finally:
        if hl._class is not None:
            hl._class.worker.stop()
    # A new kernel: the same changes are still waiting, nothing lost.
    again = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana", sync=False)
    assert len(again.highlights) == 2


def test_a_reader_who_never_joined_sees_no_change(store: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana")
    assert (hl.sync_status, hl.classmates, hl._class) == ("", [], None)


@pytest.mark.browser
def test_classmates_are_drawn_apart_and_as_text(store: Path, browser: Any, artifacts: Path) -> None:
    hl = annotate.ClaimHighlighter(ARTICLE, store=store, reader="Ana", sync=False)
    create(hl, "the establishment", note="mine")
    start, end = span(WORDS)
    hl.sync_status = "Synced with your class · 1 change waiting"
    hl.classmates = [
        {
            "id": "http://127.0.0.1/classes/c/annotations/1",
            "start": start,
            "end": end,
            "exact": WORDS,
            "creator": "Ben <b>",
            "note": "expedite? <img src=x onerror=alert(1)>",
            "claimType": None,
            "replies": [
                {"creator": "Teacher", "note": "Good question", "created": "", "waiting": False},
                {
                    "id": "urn:uuid:5d0c8a1e-7f64-4c3e-8f0e-2a9b6c1d4e70",
                    "creator": "Ana",
                    "note": "My own reply",
                    "created": "",
                    "waiting": False,
                    "mine": True,
                },
            ],
        }
    ]
    hl.joined = True
    iri = "http://127.0.0.1/classes/c/annotations/2"
    hl.highlights = [
        {
            **hl.highlights[0],
            "audience": "teacher",
            "iri": iri,
            "replies": [
                {"creator": "Ben", "note": "<i>me too</i>", "created": "", "waiting": False}
            ],
        }
    ]
    js, css = hl._esm, hl._css
    names = ("text", "blocks", "vocabulary", "highlights", "editor_claims", "show_editor_claims")
    state = {k: getattr(hl, k) for k in (*names, "classmates", "sync_status", "joined")}
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.set_content(f"<style>{css}</style><div id=host></div>")
    page.add_script_tag(
        type="module",
        content=js.replace("export default { render };", "")
        + f"""
const state = {json.dumps(state)};
window.__sent = [];
const send = (m) => window.__sent.push(m);
const model = {{ get: (k) => state[k], on() {{}}, off() {{}}, send }};
render({{ model, el: document.getElementById("host") }});
window.__drawn = true;""",
    )
    page.wait_for_function("window.__drawn === true")
    # The reader's own: who may read it, and its thread with a box labelled Reply.
    panel = page.locator(".annotate-widget-panel")
    assert "Visible to: Teacher" in panel.inner_text()
    assert "<i>me too</i>" in panel.inner_text() and panel.locator("i").count() == 0
    panel.get_by_label("Reply", exact=True).fill("Thanks")
    panel.get_by_role("button", name="Post reply").click()
    assert page.evaluate("window.__sent") == [{"action": "reply", "target": iri, "note": "Thanks"}]
    # The palette asks who may read a note.
    panel.locator(".annotate-item-open").first.click()
    palette = page.locator(".annotate-palette:not([hidden])")
    assert palette.get_by_label("Who can read this note").input_value() == "teacher"
    palette.get_by_label("Who can read this note").select_option("private")
    palette.get_by_role("button", name="Save").click()
    assert page.evaluate("window.__sent[1].draft.audience") == "private"
    marks = page.locator("mark.annotate-classmate")
    assert "".join(marks.all_inner_texts()).replace("the establishment", "") != ""
    listed = page.locator(".annotate-widget-classmates")
    assert "expedite? <img src=x onerror=alert(1)>" in listed.inner_text()
    assert listed.locator("img, b").count() == 0
    assert "Good question" in listed.inner_text()
    listed.get_by_label("Reply", exact=True).fill("Which command?")
    listed.get_by_role("button", name="Post reply").click()
    assert page.evaluate("window.__sent[2]") == {
        "action": "reply",
        "target": "http://127.0.0.1/classes/c/annotations/1",
        "note": "Which command?",
    }
    # Only the reader's own reply has Edit and Delete.
    own = listed.locator(".annotate-thread-reply", has_text="My own reply")
    assert (
        listed.locator(".annotate-thread-reply", has_text="Good question")
        .get_by_role("button")
        .count()
        == 0
    )
    own.get_by_role("button", name="Edit").click()
    own.get_by_role("textbox", name="Your reply").fill("My own reply, fixed")
    own.get_by_role("button", name="Save reply").click()
    own.get_by_role("button", name="Delete").click()
    reply_id = "urn:uuid:5d0c8a1e-7f64-4c3e-8f0e-2a9b6c1d4e70"
    assert page.evaluate("window.__sent.slice(3)") == [
        {"action": "reply-edit", "id": reply_id, "note": "My own reply, fixed"},
        {"action": "reply-delete", "id": reply_id},
    ]
    page.screenshot(path=str(artifacts / "widget-classmate.png"), full_page=True)
    page.close()


def test_joined_reader_notes_sync_and_show_classmates_notes(class_server: Any, store: Path) -> None:
    """ReaderNotes goes up on its own changes, and lists classmates' notes apart."""
    from dataclasses import replace as copy

    from annotate.jupyter.notes import NOTE_TAG
    from annotate.model import Annotation
    from annotate.sync import ClassClient

    made = class_server.new_class()
    ana = class_server.student(made, "Ana")
    ben = class_server.student(made, "Ben")
    block = ARTICLE.blocks[2]
    theirs = Annotation.new(
        source=ARTICLE.source,
        text=ARTICLE.text,
        start=block.start,
        end=block.end,
        note="Ben: who says so?",
        creator="Ben",
    )
    with ClassClient(ben) as client:
        client.create(copy(theirs, tags=(NOTE_TAG,)).to_w3c())
    ana.save()
    notes = annotate.ReaderNotes(ARTICLE, store=store, reader="Ana")
    try:
        mine = notes.add("Ana: the dek takes a side.", paragraph=1)
        assert "Synced" in notes.sync_now()
        assert [(c["creator"], c["note"], c["index"]) for c in notes.classmates] == [
            ("Ben", "Ben: who says so?", 2)
        ]
        assert [n["note"] for n in notes.notes] == [mine.note]  # classmates stay apart
        with ClassClient(ben) as client:
            seen = {Annotation.from_w3c(i).note for i in client.list(ARTICLE.source)}
        assert seen == {"Ben: who says so?", "Ana: the dek takes a side."}
        notes.edit(mine.id, "Ana: the dek takes sides.")
        notes.sync_now()
        with ClassClient(ben) as client:
            seen = {Annotation.from_w3c(i).note for i in client.list(ARTICLE.source)}
        assert "Ana: the dek takes sides." in seen and len(seen) == 2  # updated, not added
    finally:
        if notes._worker is not None:
            notes._worker.stop()


def test_reader_notes_of_a_reader_who_never_joined_do_not_sync(store: Path) -> None:
    notes = annotate.ReaderNotes(ARTICLE, store=store)
    assert notes.sync_status == "" and notes.classmates == [] and notes._worker is None
