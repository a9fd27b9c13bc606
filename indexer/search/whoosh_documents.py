"""How documents reach a Whoosh segment writer's pool: their text fields analysed ahead (in a
parse worker, `analyse_document`), then written with them (`add_analysed`), as
`SegmentWriter.add_document` would write them without: the same postings, stored fields,
lengths and columns, the same bytes on disk (`tests/test_index_writer.py`).

A writer's documents mostly have the same fields (`indexer.units.unit_document`): what
`add_document` works out for each field of each document (its schema entry, boost, stored
value, columns) is worked out once per set of field names (`_plan_of`), and each document's
exact values (`ID` fields: one term each) reach the pool in one call.
"""

from __future__ import annotations

from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter, _lenfield
from whoosh.fields import TEXT
from whoosh.formats import Existence
from whoosh.util.numeric import length_to_byte


def analyse_document(schema, fields: dict) -> dict[str, list]:  # noqa: ANN001
    """The postings of each analysed text field of a document, as `SegmentWriter.add_document`
    computes them ((term bytes, frequency, weight, value) per term), for `add_analysed`;
    made where the record is parsed, so that the writing process does not analyse."""
    out: dict[str, list] = {}
    for name, value in fields.items():
        if name.startswith("_") or value is None or name not in schema:
            continue
        field = schema[name]
        if isinstance(field, TEXT) and field.indexed and not field.vector and isinstance(value, str):
            out[name] = postings_of(field, value)
    return out


def postings_of(field, value: str) -> list:  # noqa: ANN001
    """`list(field.index(value))`, by the format's own list when it has one (`FastPositions`),
    and for an exact value (an `ID` field: the whole value, one term) without Whoosh's token."""
    fmt = field.format
    if type(field.analyzer) is IDTokenizer and type(fmt) is Existence:
        return [(value.encode("utf-8"), 1, fmt.field_boost, b"")]
    fast = getattr(fmt, "postings", None)
    made = fast(value, field.analyzer) if fast is not None else None
    return list(field.index(value)) if made is None else made


def analysable(writer) -> bool:  # noqa: ANN001
    """Whether `add_analysed` writes this writer's documents itself: a segment writer (not
    Whoosh's multiprocessing one) of a schema without spelling or vector fields."""
    known = getattr(writer, "_analysable", None)
    if known is None:
        known = hasattr(writer, "perdocwriter") and not hasattr(writer, "docbuffer") \
            and not any(f.separate_spelling() or f.vector for _, f in writer.schema.items() if f.indexed)
        writer._analysable = known
    return known


def add_analysed(writer, fields: dict, analysed: dict[str, list]) -> None:  # noqa: ANN001
    """`SegmentWriter.add_document(**fields)` with the postings of some fields given
    (`analyse_document`): the same document, the same bytes on disk."""
    if not analysable(writer):
        writer.add_document(**fields)  # a multiprocessing writer, or fields this does not write
        return
    writer._check_state()
    plan = _plan_of(writer, fields)
    if plan is None:
        _add_fields(writer, fields, analysed)
        return
    perdocwriter = writer.perdocwriter
    docnum = writer.docnum
    pool = writer.pool
    add_field = pool.add_field
    columns = perdocwriter._colwriters
    perdocwriter.start_doc(docnum)
    stored = perdocwriter._storedfields
    lengths = perdocwriter._fieldlengths
    exact = []
    for name, field, indexed, scorable, keep, storedname, column, lenname, one in plan:
        value = fields[name]
        if value is None:
            continue
        length = 0
        if indexed:
            items = analysed.get(name)
            if items is not None:
                length = add_field(name, docnum, items, 1.0, scorable)
            elif one and type(value) is str:  # an exact value: one term (postings_of), added with the others
                exact.append((name, value.encode("utf-8")))
            else:
                length = add_field(name, docnum, postings_of(field, value) if isinstance(value, str)
                                   else field.index(value), 1.0, scorable)
        customval = value if storedname is None else fields[storedname]
        if keep and customval is not None:  # W3PerDocWriter.add_field
            stored[name] = customval
        if length:
            lengthbyte = length_to_byte(length)
            writer_of = columns.get(lenname)
            if writer_of is None:
                perdocwriter.add_column_value(lenname, LENGTHS_COLUMN, lengthbyte)
            else:
                writer_of.add(docnum, lengthbyte)
            lengths[name] += length
        if column and customval is not None:
            writer_of = columns.get(name)
            if writer_of is None:
                perdocwriter.add_column_value(name, column, field.to_column_value(customval))
            else:
                writer_of.add(docnum, field.to_column_value(customval))
    if exact:
        pool.add_exact(docnum, exact)
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def _plan_of(writer, fields: dict) -> tuple | None:  # noqa: ANN001
    """How `add_analysed` writes documents with these field names (the same as the last
    document's, mostly), or None to write them field by field (`_add_fields`): boosts given
    with the document, a pool or per-document writer other than ours.  Per field, in
    `add_document`'s order: (name, field, indexed, scorable, stored, name of its stored value,
    column type, name of its lengths column, exact value of one term)."""
    keys = tuple(fields)
    plans = writer.__dict__.setdefault("_plans", {})
    plan = plans.get(keys, False)
    if plan is not False:
        return plan
    schema = writer.schema
    names = sorted(name for name in keys if not name.startswith("_"))
    writer._check_fields(schema, names)
    plan = None
    if type(writer.perdocwriter) is W3PerDocWriter and hasattr(writer.pool, "add_exact") \
            and not any(name == "_boost" or (name.startswith("_") and name.endswith("_boost")) for name in keys):
        plan = []
        for name in names:
            field = schema[name]
            storedname = f"_stored_{name}" if f"_stored_{name}" in fields else None
            one = type(field.analyzer) is IDTokenizer and type(field.format) is Existence \
                and field.format.field_boost == 1.0 and not field.scorable
            plan.append((name, field, field.indexed, field.scorable, field.stored, storedname,
                         field.column_type, _lenfield(name), one))
        plan = tuple(plan)
    if len(plans) < 64:
        plans[keys] = plan
    return plan


def _add_fields(writer, fields: dict, analysed: dict[str, list]) -> None:  # noqa: ANN001
    """`add_analysed` field by field, as `SegmentWriter.add_document` writes a document."""
    schema = writer.schema
    perdocwriter = writer.perdocwriter
    docnum = writer.docnum
    add_post = writer.pool.add
    add_field = getattr(writer.pool, "add_field", None)
    docboost = writer._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    for fieldname in fieldnames:
        value = fields.get(fieldname)
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            fieldboost = writer._field_boost(fields, fieldname, docboost)
            items = analysed.get(fieldname)
            if items is None:
                items = postings_of(field, value) if isinstance(value, str) else field.index(value)
            scorable = field.scorable
            if add_field is not None:  # a GroupedPool: the field's postings at once
                length = add_field(fieldname, docnum, items, fieldboost, scorable)
            else:
                for tbytes, freq, weight, vbytes in items:
                    weight *= fieldboost
                    if scorable:
                        length += freq
                    add_post((fieldname, tbytes, docnum, weight, vbytes))
        customval = fields.get(f"_stored_{fieldname}", value)
        perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
        column = field.column_type
        if column and customval is not None:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1
