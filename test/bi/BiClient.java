/*
 * BiClient.java: what a BI tool (Metabase, Superset over JDBC) sees of the
 * bedrock_cost BI views through the PostgreSQL JDBC driver: the views and
 * their columns from DatabaseMetaData, with JDBC types and remarks, and the
 * results of typical dashboard queries with a billing period parameter.
 *
 * Usage: java -cp postgresql.jar:. BiClient JDBC_URL USER PERIOD
 * Prints one line per fact, for test/t/041_bi_jdbc.pl to check:
 *   VIEW name has_remarks
 *   COLUMN view column jdbc_type type_name has_remarks
 *   RESULT view column type_name precision scale   (ResultSetMetaData of
 *          SELECT * FROM the view, as a dashboard query's result sees it)
 *   ROW query value|value|...
 *
 * IDENTIFICATION
 *		test/bi/BiClient.java
 */
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

public class BiClient
{
	/* 1 when a remark is present, else 0 */
	private static int has(String s)
	{
		return (s != null && !s.isEmpty()) ? 1 : 0;
	}

	/* print every row of a dashboard query for one billing period */
	private static void query(Connection c, String label, String sql, LocalDate period) throws Exception
	{
		try (PreparedStatement ps = c.prepareStatement(sql))
		{
			ps.setObject(1, period);
			try (ResultSet rs = ps.executeQuery())
			{
				ResultSetMetaData md = rs.getMetaData();
				while (rs.next())
				{
					StringBuilder b = new StringBuilder("ROW " + label + " ");
					for (int i = 1; i <= md.getColumnCount(); i++)
					{
						if (i > 1)
							b.append('|');
						Object o = rs.getObject(i);
						if (o instanceof BigDecimal)
							b.append(((BigDecimal) o).toPlainString());
						else
							b.append(o == null ? "NULL" : o.toString());
					}
					System.out.println(b);
				}
			}
		}
	}

	/* the declared type of every result column of a view, as ResultSetMetaData reports it */
	private static void resultTypes(Connection c, String view) throws Exception
	{
		try (PreparedStatement ps = c.prepareStatement("SELECT * FROM bedrock_cost." + view + " WHERE false");
			 ResultSet rs = ps.executeQuery())
		{
			ResultSetMetaData md = rs.getMetaData();
			for (int i = 1; i <= md.getColumnCount(); i++)
				System.out.println("RESULT " + view + " " + md.getColumnName(i) + " " + md.getColumnTypeName(i)
								   + " " + md.getPrecision(i) + " " + md.getScale(i));
		}
	}

	public static void main(String[] args) throws Exception
	{
		LocalDate period = LocalDate.parse(args[2]);

		try (Connection c = DriverManager.getConnection(args[0], args[1], ""))
		{
			DatabaseMetaData md = c.getMetaData();

			List<String> views = new ArrayList<>();
			try (ResultSet v = md.getTables(null, "bedrock_cost", "bi\\_%", new String[] {"VIEW"}))
			{
				while (v.next())
				{
					views.add(v.getString("TABLE_NAME"));
					System.out.println("VIEW " + v.getString("TABLE_NAME") + " " + has(v.getString("REMARKS")));
				}
			}
			for (String view : views)
				resultTypes(c, view);
			try (ResultSet col = md.getColumns(null, "bedrock_cost", "bi\\_%", "%"))
			{
				while (col.next())
					System.out.println("COLUMN " + col.getString("TABLE_NAME") + " " + col.getString("COLUMN_NAME")
									   + " " + col.getInt("DATA_TYPE") + " " + col.getString("TYPE_NAME")
									   + " " + has(col.getString("REMARKS")));
			}
			query(c, "principal",
				  "SELECT coalesce(principal_arn, attribution), sum(cost) FROM bedrock_cost.bi_chargeback_by_principal "
				  + "WHERE billing_period = ? GROUP BY 1 ORDER BY 1", period);
			query(c, "team",
				  "SELECT tag_value, sum(cost) FROM bedrock_cost.bi_chargeback_by_tag "
				  + "WHERE billing_period = ? AND tag_name = 'team' GROUP BY 1 ORDER BY 1", period);
			query(c, "model",
				  "SELECT model, token_kind, sum(tokens), sum(cost) FROM bedrock_cost.bi_usage_by_model "
				  + "WHERE billing_period = ? GROUP BY 1, 2 ORDER BY 1, 2", period);
			query(c, "daily",
				  "SELECT usage_date, sum(cost) FROM bedrock_cost.bi_daily "
				  + "WHERE billing_period = ? GROUP BY 1 ORDER BY 1", period);
		}
	}
}
