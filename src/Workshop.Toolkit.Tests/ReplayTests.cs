using System.Text.Json.Nodes;
using FluentAssertions;
using Workshop.Toolkit.Replay;
using Xunit;
using Xunit.Abstractions;

namespace Workshop.Toolkit.Tests;

public sealed class ReplayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Replay_Lab01InShortMode_FixedIsAtLeastFiveTimesBetterAtTheTail()
    {
        // Arrange
        var scenario = Scenarios.Find("01");
        var directory = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}");

        // Act
        var result = await Replayer.RunAsync(scenario, TimeSpan.FromSeconds(3));
        var files = ReplayArtifacts.Write(result, directory);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(files.Json))!;
        output.WriteLine(result.Sentence);
        output.WriteLine(json.ToJsonString());

        // Assert
        json["lab"]!.GetValue<string>().Should().Be("01-logging-blocking");
        json["headline"]!["metric"]!.GetValue<string>().Should().Be("p99_ms");
        json["headline"]!["better"]!.GetValue<string>().Should().Be("lower");
        json["headline"]!["ratio"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(5,
            "Broken's p99 ({0} ms) must be at least 5x Fixed's ({1} ms) with the log disk at 100 ms", result.Headline.Broken, result.Headline.Fixed);
        json["fixed"]!["log_events_dropped_total"].Should().NotBeNull("Fixed counts the log events it drops");
        json["broken"]!["thread_pool_queue_peak"].Should().NotBeNull();
        files.Charts.Should().HaveCount(8).And.OnlyContain(f => new FileInfo(f).Length > 500);
        result.Broken.Stop.ExitCode.Should().BeOneOf(0, 143, 137);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Replay_WithNegativeDuration_IsRejected()
    {
        // Act
        var act = () => Replayer.RunVariantAsync(Scenarios.Find("01"), "Fixed", TimeSpan.FromSeconds(-1));

        // Assert
        await act.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*positive duration*");
    }

    [Fact]
    public void Scenarios_UnknownLab_AreRejectedWithTheKnownOnes()
    {
        // Act
        var act = () => Scenarios.Find("99");

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*01-logging-blocking*");
    }

    [Theory]
    [InlineData(Better.Lower, 4000, 10, 400)]
    [InlineData(Better.Lower, 4000, 0, 4000)]
    [InlineData(Better.Higher, 10, 4000, 400)]
    public void Headline_Ratio_IsHowManyTimesBetterFixedIs(Better better, double broken, double @fixed, double expected)
    {
        // Arrange
        var spec = new HeadlineSpec("m", better, Floor: 1, _ => "");

        // Act
        var headline = Headline.Of(spec, broken, @fixed);

        // Assert
        headline.Ratio.Should().Be(expected);
    }
}
