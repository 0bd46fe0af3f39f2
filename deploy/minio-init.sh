#!/bin/sh
# One-shot MinIO setup for docker-compose.yml: create the results bucket and apply the
# lifecycle rule from infra/s3-lifecycle.json (the file operators apply to a real bucket).
# Safe to run again: the bucket is kept, the rule set is replaced by the file's.
set -eu

: "${MINIO_URL:?}" "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${BUCKET:?}" "${LIFECYCLE_FILE:?}"

tries=0
until mc alias set local "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "minio-init: MinIO at $MINIO_URL did not answer" >&2
    exit 1
  fi
  sleep 1
done

mc mb --ignore-existing "local/$BUCKET"
mc ilm rule import "local/$BUCKET" < "$LIFECYCLE_FILE"
mc ilm rule ls "local/$BUCKET"
echo "minio-init: bucket $BUCKET ready"
