"""Writing through the API as a well-behaved client does: read the record, then send its ETag
back as If-Match (a PUT or PATCH without it answers 428)."""


def as_read(client, url: str) -> dict:
    """The If-Match header for the record at `url` as `client` reads it now; none when the
    client cannot read it (an outsider's 404), so the write meets the same refusal."""
    etag = client.get(url).get("ETag")
    return {"HTTP_IF_MATCH": etag} if etag else {}


def patch_as_read(client, url: str, data, **kwargs):
    return client.patch(url, data, **as_read(client, url), **kwargs)


def put_as_read(client, url: str, data, **kwargs):
    return client.put(url, data, **as_read(client, url), **kwargs)
