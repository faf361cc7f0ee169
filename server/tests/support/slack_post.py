"""Posts to a Confab webhook as CI tools, Grafana or Sentry post to Slack:
with Slack's own Python SDK (slack_sdk's WebhookClient), a text in Slack's
mrkdwn, Block Kit blocks, legacy attachments, and once asking for Slack's
plain answer. argv[1] is the webhook's URL. Prints the answers, one JSON
list of {"status", "body"}."""

import json
import sys

from slack_sdk.models.attachments import Attachment, AttachmentField
from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.webhook import WebhookClient

url = sys.argv[1]
client = WebhookClient(url)
answers = [
    client.send(text="Build <https://ci.example/42|main> *passed* ~slowly~ for <!here>"),
    client.send(
        text="Deploy to production: main is live",
        blocks=[
            HeaderBlock(text=PlainTextObject(text="Deploy to production")),
            SectionBlock(
                text=MarkdownTextObject(text="*main* is live"),
                fields=[
                    MarkdownTextObject(text="*Env*\nprod"),
                    MarkdownTextObject(text="*Took*\n4 min"),
                ],
            ),
            ContextBlock(elements=[MarkdownTextObject(text="by ci-bot")]),
            DividerBlock(),
        ],
    ),
    client.send(
        attachments=[
            Attachment(
                fallback="All 120 tests passed",
                color="good",
                title="All 120 tests passed",
                title_link="https://ci.example/42",
                text="_3 min 12 s_",
                fields=[AttachmentField(title="Branch", value="main", short=True)],
                footer="Jenkins",
            )
        ]
    ),
    client.send(text="plain, please", headers={"Accept": "text/plain"}),
]
print(json.dumps([{"status": a.status_code, "body": a.body} for a in answers]))
