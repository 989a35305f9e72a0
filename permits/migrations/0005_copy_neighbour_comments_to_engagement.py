"""Copy every neighbour comment into engagement's comments on the register layer
`permit-applications` (feature id: the application's id), keeping the author, the time and the
stance (supportive: in favour, neutral, objection: against); permits.NeighbourComment is
removed by the next migration.

Personal data is taken out of the published text as for new comments; the text as written is
kept for the moderators. Old comments may be longer than the 1,000 characters new ones may.
"""

from django.db import migrations

from engagement.redaction import redact

LAYER = "permit-applications"
STANCES = {"supportive": "in_favour", "neutral": "neutral", "objection": "against"}


def forward(apps, schema_editor):
    Old = apps.get_model("permits", "NeighbourComment")
    Comment = apps.get_model("engagement", "Comment")
    # In the order they were written: a thread is ordered by its comments' ids.
    old_comments = Old.objects.select_related("application__case").order_by("created_at", "pk")
    for old in old_comments.iterator(chunk_size=2000):
        published, redacted = redact(old.body)
        comment = Comment.objects.create(
            layer=LAYER,
            feature_id=str(old.application_id),
            municipality_id=old.application.case.municipality_id,
            depth=0,
            author_id=old.author_id,
            stance=STANCES.get(old.stance, "neutral"),
            body=published,
            body_original=old.body,
            redacted=redacted,
        )
        Comment.objects.filter(pk=comment.pk).update(
            path=f"{comment.pk:012d}/", created_at=old.created_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0004_add_neighbour_consultations"),
        ("engagement", "0001_add_engagement"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
