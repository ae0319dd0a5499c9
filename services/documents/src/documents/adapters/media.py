"""Looking inside media: ffprobe (Debian's ffmpeg) for audio and video, Pillow for image
thumbnails, pypdfium2 for a PDF's first page. Each runs off the event loop."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pypdfium2
from PIL import Image

THUMBNAIL = (320, 320)
#: Containers and codecs the major browsers play in <video>/<audio>.
PLAYABLE_CONTAINERS = {"mp4", "m4a", "mov", "webm", "matroska", "ogg", "mp3", "wav", "flac", "aac"}
PLAYABLE_VIDEO = {"h264", "vp8", "vp9", "av1"}
PLAYABLE_AUDIO = {"aac", "mp3", "opus", "vorbis", "flac", "pcm_s16le", "pcm_u8", "pcm_f32le"}


async def probe(ffprobe: str, url: str, seconds: float) -> dict[str, Any]:
    """Duration, codecs and dimensions of a media object read by URL (ffprobe reads only
    what it needs, by range), and whether a browser can play it (with a note if not)."""
    process = await asyncio.create_subprocess_exec(
        ffprobe,
        "-v", "error",
        "-print_format", "json",
        "-show_format",
        "-show_streams",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(seconds):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        return {"probed": False, "note": "the file could not be probed in time"}
    if process.returncode != 0:
        return {"probed": False, "note": "the file is not readable media: " + err.decode()[:200]}
    return describe(json.loads(out or b"{}"))


def describe(found: dict[str, Any]) -> dict[str, Any]:
    fmt = found.get("format", {})
    streams = found.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    containers = set(str(fmt.get("format_name", "")).split(","))
    info: dict[str, Any] = {
        "probed": True,
        "container": fmt.get("format_name"),
        "duration_seconds": round(float(fmt["duration"]), 3) if fmt.get("duration") else None,
    }
    problems = []
    if video is not None:
        info["video"] = {
            "codec": video.get("codec_name"),
            "width": video.get("width"),
            "height": video.get("height"),
        }
        if video.get("codec_name") not in PLAYABLE_VIDEO:
            problems.append(f"its video codec {video.get('codec_name')}")
    if audio is not None:
        info["audio"] = {
            "codec": audio.get("codec_name"),
            "channels": audio.get("channels"),
            "sample_rate": int(audio["sample_rate"]) if audio.get("sample_rate") else None,
        }
        if audio.get("codec_name") not in PLAYABLE_AUDIO:
            problems.append(f"its audio codec {audio.get('codec_name')}")
    if not containers & PLAYABLE_CONTAINERS:
        problems.append(f"its container {fmt.get('format_name')}")
    info["browser_playable"] = not problems
    if problems:
        info["note"] = (
            "Browsers cannot play this file (" + ", ".join(problems) + "): download it and "
            "open it in a media player, or upload it as MP4 (H.264/AAC) or WebM."
        )
    return info


def _jpeg(image: Image.Image) -> bytes:
    image.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _image_thumbnail(data: bytes) -> tuple[bytes, dict[str, Any]]:
    with Image.open(io.BytesIO(data)) as image:
        size = {"width": image.width, "height": image.height}
        return _jpeg(image), size


def _pdf_preview(data: bytes) -> tuple[bytes, dict[str, Any]]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[0]
        width, height = page.get_size()
        scale = min(THUMBNAIL[0] / width, THUMBNAIL[1] / height, 2.0)
        image = page.render(scale=scale).to_pil()
        return _jpeg(image), {"pages": len(pdf), "width": round(width), "height": round(height)}
    finally:
        pdf.close()


async def image_thumbnail(data: bytes) -> tuple[bytes, dict[str, Any]]:
    return await asyncio.to_thread(_image_thumbnail, data)


async def pdf_preview(data: bytes) -> tuple[bytes, dict[str, Any]]:
    return await asyncio.to_thread(_pdf_preview, data)
