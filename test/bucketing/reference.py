"""Reference buckets in Python, written from the rules alone, for test/bucketing: md5 from hashlib
and murmur3 (x86, 32-bit) in plain Python, the way a Python service would compute them.

Reads JSON lines {"mode", "salt", "userId", "percents"} on stdin; writes {"hash", "bucket", "in"} lines."""
import hashlib
import json
import sys


def murmur3_x86_32(data: bytes, seed: int = 0) -> int:
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    tail = len(data) & ~3
    for i in range(0, tail, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    rest = data[tail:]
    if rest:
        k = int.from_bytes(rest, "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h


def answer(mode: str, salt: str, user_id: str, percents: list) -> dict:
    if mode == "md5":
        digest = hashlib.md5(user_id.encode("utf-8")).hexdigest()
        bucket = int(digest, 16) % 100
        verdicts = [user_id != "" and bucket < p for p in percents]
        return {"hash": digest, "bucket": bucket, "in": verdicts}
    h = murmur3_x86_32(f"{salt}:{user_id}".encode("utf-8"))
    if mode == "unleash":
        bucket = h % 100 + 1
        verdicts = [user_id != "" and p > 0 and bucket <= p for p in percents]
    else:
        bucket = h * 10000 // 2**32
        verdicts = [user_id != "" and bucket < p * 100 for p in percents]
    return {"hash": h, "bucket": bucket, "in": verdicts}


for line in sys.stdin:
    q = json.loads(line)
    print(json.dumps(answer(q["mode"], q["salt"], q["userId"], q["percents"]), ensure_ascii=False))
