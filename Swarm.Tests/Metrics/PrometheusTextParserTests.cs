namespace Swarm.Tests.Metrics;

/// <summary>The test's Prometheus text parser is strict: what the metrics tests accept is the format, not less.</summary>
public sealed class PrometheusTextParserTests
{
    [Fact]
    public void A_well_formed_exposition_parses_into_families_with_labels_and_values()
    {
        var families = PrometheusTextParser.Parse(
            "# HELP a_total Things.\n# TYPE a_total counter\na_total{task=\"x\\\"y\",node=\"n\"} 3\n# TYPE b gauge\nb -1.5e3 1700000000\n");

        var sample = Assert.Single(families["a_total"].Samples);
        Assert.Equal(("counter", "Things.", "x\"y", 3.0), (families["a_total"].Type, families["a_total"].Help, sample.Labels["task"], sample.Value));
        Assert.Equal(-1500, Assert.Single(families["b"].Samples).Value);
    }

    [Theory]
    [InlineData("a 1\n", "line 1: sample 'a' has no # TYPE line before it")]
    [InlineData("# TYPE a gauge\na 1\na 2\n", "line 3: series a{} appears twice")]
    [InlineData("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n", "line 2: label 'x' appears twice")]
    [InlineData("# TYPE a gauge\na{x=1} 1\n", "line 2: label 'x' must be followed by =\"")]
    [InlineData("# TYPE a gauge\na{x=\"\\t\"} 1\n", "line 2: '\\t' is not an escape the format allows")]
    [InlineData("# TYPE a gauge\na  1\n", "line 2: after the series only a value and an optional timestamp may follow, one space apart")]
    [InlineData("# TYPE a gauge\na one\n", "line 2: 'one' is not a sample value")]
    [InlineData("# TYPE a_total counter\na_total -1\n", "line 2: counter 'a_total' is negative")]
    [InlineData("# TYPE a gauge\n# TYPE a counter\n", "line 2: a second # TYPE for 'a'")]
    [InlineData("# TYPE a gauge\na 1\n# HELP a late\n", "line 3: # HELP for 'a' after its samples")]
    [InlineData("# TYPE a meter\n", "line 1: type 'meter' is not one of counter, gauge, histogram, summary, untyped")]
    [InlineData("# TYPE a gauge\na 1", "the exposition does not end with a newline")]
    public void A_broken_exposition_is_refused_naming_the_line_and_the_rule(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));

        Assert.Equal(problem, error.Message);
    }
}
