using Workshop.Toolkit.Prometheus;

namespace Workshop.Toolkit.Tests;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_ExporterOutput_ReadsSamplesAndSkipsComments()
    {
        // Arrange: the shape the OpenTelemetry Prometheus exporter writes.
        const string text = """
            # TYPE dotnet_gc_heap_size_bytes gauge
            # UNIT dotnet_gc_heap_size_bytes bytes
            # HELP dotnet_gc_heap_size_bytes Managed heap size measured at the last garbage collection.
            dotnet_gc_heap_size_bytes{otel_scope_name="Workshop.Runtime"} 5027624 1732938000123

            workshop_thread_pool_queue_length{otel_scope_name="Workshop.Runtime"} 0
            # EOF
            """;

        // Act
        var samples = PrometheusText.Parse(text);

        // Assert
        samples.Should().HaveCount(2);
        samples[0].Name.Should().Be("dotnet_gc_heap_size_bytes");
        samples[0].Labels.Should().Equal(new Dictionary<string, string> { ["otel_scope_name"] = "Workshop.Runtime" });
        samples[0].Value.Should().Be(5027624);
        samples[0].TimestampMs.Should().Be(1732938000123);
        samples[1].Value.Should().Be(0);
        samples[1].TimestampMs.Should().BeNull();
    }

    [Fact]
    public void Parse_EscapedLabelValues_Unescapes()
    {
        // Arrange
        const string text = """m{path="C:\\logs",quote="say \"hi\"",multi="a\nb",odd="x\q"} 1""";

        // Act
        var sample = PrometheusText.Parse(text).Single();

        // Assert
        sample.Label("path").Should().Be(@"C:\logs");
        sample.Label("quote").Should().Be("say \"hi\"");
        sample.Label("multi").Should().Be("a\nb");
        sample.Label("odd").Should().Be(@"x\q");
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("-Inf", double.NegativeInfinity)]
    [InlineData("1.5e-3", 0.0015)]
    [InlineData("-42", -42)]
    public void Parse_SpecialAndScientificValues_ParsesThem(string value, double expected)
    {
        // Act
        var sample = PrometheusText.Parse($"m {value}").Single();

        // Assert
        sample.Value.Should().Be(expected);
    }

    [Fact]
    public void Parse_SpacingTrailingCommaAndCrLf_Tolerated()
    {
        // Arrange
        const string text = "a{x=\"1\",} 2\r\nb { y = \"2\" , z=\"3\" }\t4\r\nc{} 5\r\n";

        // Act
        var samples = PrometheusText.Parse(text);

        // Assert
        samples.Select(s => (s.Name, s.Value)).Should().Equal(("a", 2), ("b", 4), ("c", 5));
        samples[1].Labels.Should().HaveCount(2).And.Contain("z", "3");
    }

    [Fact]
    public void Parse_QuotedMetricName_ReadsUtf8Name()
    {
        // Act
        var sample = PrometheusText.Parse("""{"http.server.duration",le="0.1"} 7""").Single();

        // Assert
        sample.Name.Should().Be("http.server.duration");
        sample.Label("le").Should().Be("0.1");
    }

    [Theory]
    [InlineData("m{a=\"1\" 2")]
    [InlineData("m{a=1} 2")]
    [InlineData("m")]
    [InlineData("m abc")]
    [InlineData("m 1 notatimestamp")]
    [InlineData("9m 1")]
    public void Parse_MalformedLine_ThrowsWithLineNumber(string line)
    {
        // Arrange
        var text = "ok 1\n" + line;

        // Act
        var act = () => PrometheusText.Parse(text);

        // Assert
        act.Should().Throw<FormatException>().WithMessage("*line 2*");
    }
}
