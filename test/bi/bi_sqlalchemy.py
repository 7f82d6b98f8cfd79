#!/usr/bin/python3
"""bi_sqlalchemy.py: what Superset (SQLAlchemy + psycopg2) sees of the
bedrock_cost BI views: inspect().get_view_names / get_columns with their
SQLAlchemy types and comments, and typical dashboard queries with a billing
period parameter.

Usage: /usr/bin/python3 bi_sqlalchemy.py HOST PORT DBNAME USER PERIOD
Prints one line per fact, for test/t/042_bi_sqlalchemy.pl to check:
  VIEW name has_comment
  COLUMN view column sqlalchemy_type generic_type has_comment
  DECLARED view column sqlalchemy_type precision scale   (- when the type has none)
  ROW query value|value|...

IDENTIFICATION
	test/bi/bi_sqlalchemy.py
"""
import datetime
import sys

import sqlalchemy
from sqlalchemy import inspect, text


def has(s):
    """1 when a comment is present, else 0"""
    return 1 if s else 0


def opt(v):
    """a type attribute, - when absent"""
    return "-" if v is None else str(v)


def query(conn, label, sql, period):
    """print every row of a dashboard query for one billing period"""
    for row in conn.execute(text(sql), {"period": period}):
        print("ROW %s %s" % (label, "|".join("NULL" if v is None else str(v) for v in row)))


def main():
    host, port, dbname, user, period = sys.argv[1:6]
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg2://%s@%s:%s/%s" % (user, host, port, dbname))
    period = datetime.date.fromisoformat(period)
    insp = inspect(engine)
    for view in sorted(insp.get_view_names(schema="bedrock_cost")):
        if not view.startswith("bi_"):
            continue
        try:
            comment = insp.get_table_comment(view, schema="bedrock_cost").get("text")
        except NotImplementedError:
            comment = None
        print("VIEW %s %d" % (view, has(comment)))
        for col in insp.get_columns(view, schema="bedrock_cost"):
            t = col["type"]
            try:
                generic = t.as_generic().__class__.__name__
            except NotImplementedError:
                generic = "NONE"
            print("COLUMN %s %s %s %s %d" % (view, col["name"], t.__class__.__name__, generic,
                                             has(col.get("comment"))))
            print("DECLARED %s %s %s %s %s" % (view, col["name"], t.__class__.__name__,
                                                 opt(getattr(t, "precision", None)),
                                                 opt(getattr(t, "scale", None))))
    with engine.connect() as conn:
        query(conn, "principal",
              "SELECT coalesce(principal_arn, attribution), sum(cost) FROM bedrock_cost.bi_chargeback_by_principal "
              "WHERE billing_period = :period GROUP BY 1 ORDER BY 1", period)
        query(conn, "team",
              "SELECT tag_value, sum(cost) FROM bedrock_cost.bi_chargeback_by_tag "
              "WHERE billing_period = :period AND tag_name = 'team' GROUP BY 1 ORDER BY 1", period)
        query(conn, "model",
              "SELECT model, token_kind, sum(tokens), sum(cost) FROM bedrock_cost.bi_usage_by_model "
              "WHERE billing_period = :period GROUP BY 1, 2 ORDER BY 1, 2", period)
        query(conn, "daily",
              "SELECT usage_date, sum(cost) FROM bedrock_cost.bi_daily "
              "WHERE billing_period = :period GROUP BY 1 ORDER BY 1", period)


if __name__ == "__main__":
    main()
