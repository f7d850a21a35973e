"""The ingestion validator: decide each raw file's fate and move it, byte for byte, to
archive/ or rejected/. The Lambda zip is this folder and the root modules (contract, lake,
logs): standard library + msgspec and orjson only."""
