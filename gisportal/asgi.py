"""ASGI entry point for uvicorn: the live lot stream (estate.live) before Django, everything
else by Django's ASGI handler.

Production sends /api/v1/estate/lots/<reference>/events here (docs/estate-live.md): a watcher
of a live auction holds a coroutine in this process instead of a thread of gunicorn.

    uvicorn gisportal.asgi:application --host 127.0.0.1 --port 8001
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
django_application = get_asgi_application()

from estate import live  # noqa: E402  (needs the apps loaded above)


async def lifespan(receive, send) -> None:
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] == "http":
        reference = live.lot_reference(scope["path"])
        if reference is not None:
            await live.asgi_events(scope, receive, send, reference)
            return
    await django_application(scope, receive, send)
