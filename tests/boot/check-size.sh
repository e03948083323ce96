#!/usr/bin/env bash
# Checks that FILE is at most LIMIT bytes; prints one PASS:/FAIL: line.
#   check-size.sh FILE LIMIT
set -uo pipefail
file=$1
limit=$2
name=size-$(basename "$file")
if [[ ! -f "$file" ]]; then
    echo "FAIL: $name: $file does not exist"
    exit 1
fi
size=$(stat -c %s "$file")
if [[ $size -le $limit ]]; then
    echo "PASS: $name: $size bytes <= $limit"
else
    echo "FAIL: $name: $size bytes > $limit"
    exit 1
fi
