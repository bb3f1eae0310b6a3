#!/usr/bin/env python3
"""Writes an SQLite script of N small transactions (one INSERT each, in
autocommit mode, so each goes through the rollback journal), each followed
by a read-only query that prints a line: time is spent both inside and
outside transactions.  tests/written-tests.sh runs it with sqlite3."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
print("CREATE TABLE t(i INTEGER PRIMARY KEY, v TEXT, w INTEGER);")
for i in range(1, n + 1):
    print(f"INSERT INTO t(v, w) VALUES('row {i} ' || hex({i}*7919), {i}*{i} % 1000003);")
    print(f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<{3000 + i}) "
          f"SELECT {i}, sum(x) % 1000, (SELECT count(*) FROM t) FROM c;")
