using System.Text.Json.Nodes;
using FluentAssertions;
using Workshop.Toolkit.Replay;
using Xunit;
using Xunit.Abstractions;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;

namespace Workshop.Toolkit.Tests;

public sealed class ReplayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Replay_Lab01AtHalfScale_FixedAnswersAtLeastTenTimesTheRequests()
    {
        // Arrange
        var scenario = await Scenarios.LoadAsync("01");
        var directory = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}");

        // Act
        var result = await Replayer.RunAsync(scenario, scale: 0.5);
        var files = ReplayArtifacts.Write(result, directory);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(files.Json))!;
        output.WriteLine(result.Sentence);
        output.WriteLine(json.ToJsonString());

        // Assert
        json["lab"]!.GetValue<string>().Should().Be("01-logging-blocking");
        json["headline"]!["metric"]!.GetValue<string>().Should().Be("succeeded_per_second");
        json["headline"]!["better"]!.GetValue<string>().Should().Be("higher");
        json["headline"]!["ratio"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(10,
            "a 100 ms disk caps Broken at 10 answers a second and Fixed answers the offered 200 (Broken {0}/s, Fixed {1}/s)",
            result.Headline.Broken, result.Headline.Fixed);
        json["fixed"]!["log_events_dropped_total"].Should().NotBeNull("Fixed counts the log events it drops");
        json["broken"]!["log_events_written_total"].Should().NotBeNull("both variants count the events they wrote");
        result.Sentence.Should().Contain("dropped", "the sentence names what the fix costs");
        files.Charts.Should().HaveCount(10).And.OnlyContain(f => new FileInfo(f).Length > 500);
        result.Broken.Stop.ExitCode.Should().BeOneOf(0, 143, 137);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Replay_WithNegativeScale_IsRejected()
    {
        // Arrange
        var scenario = await Scenarios.LoadAsync("01");

        // Act
        var act = () => Replayer.RunVariantAsync(scenario, "Fixed", scale: -1);

        // Assert
        await act.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*positive scale*");
    }

    [Fact]
    public async Task Replay_ScenarioReadingAMetricTheServiceLacks_FailsNamingIt()
    {
        // Arrange
        var scenario = new MisspeltScenario(metric: "log_events_writen_total", knob: null);

        // Act
        var act = () => Replayer.RunVariantAsync(scenario, "Fixed");

        // Assert
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*exports no log_events_writen_total on /metrics*");
    }

    [Fact]
    public async Task Replay_ScenarioSettingAKnobTheServiceDoesNotRead_FailsNamingIt()
    {
        // Arrange
        var scenario = new MisspeltScenario(metric: null, knob: "Lab:LogSinkDelay");

        // Act
        var act = () => Replayer.RunVariantAsync(scenario, "Fixed");

        // Assert
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*LogSinkDelay*");
    }

    [Fact]
    public async Task Scenarios_UnknownLab_AreRejectedWithTheKnownOnes()
    {
        // Act
        var act = () => Scenarios.LoadAsync("99");

        // Assert
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*01-logging-blocking*");
    }

    [Fact]
    public void Scenarios_Replayable_AreTheLabsWithAReplayFolder()
    {
        // Act
        var labs = Scenarios.Replayable();

        // Assert
        labs.Select(l => l.Id).Should().Contain(["01", "02", "03"]);
        labs.Should().OnlyContain(l => Directory.Exists(Path.Combine(l.Directory, Scenarios.Folder)));
    }

    [Theory]
    [InlineData(Better.Lower, 4000, 10, 400, false)]
    [InlineData(Better.Lower, 4000, 0, 4000, true)]
    [InlineData(Better.Higher, 10, 4000, 400, false)]
    [InlineData(Better.Higher, 0, 200, 200, true)]
    public void Headline_Ratio_IsHowManyTimesBetterFixedIs(Better better, double broken, double @fixed, double expected, bool atLeast)
    {
        // Arrange
        var spec = new HeadlineSpec("m", "a measure", better, Unit: 1, (_, _, _) => "");

        // Act
        var headline = Headline.Of(spec, broken, @fixed);

        // Assert
        headline.Ratio.Should().Be(expected);
        headline.AtLeast.Should().Be(atLeast, "a ratio against one unit of the measure is a lower bound");
        headline.RatioText.Should().StartWith(atLeast ? "at least " : expected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RunDirectory_TwoRuns_KeepsBothAndPointsLatestAtTheNewest()
    {
        // Arrange
        var parent = Directory.CreateTempSubdirectory("replay-runs-").FullName;
        var when = new DateTimeOffset(2026, 12, 1, 20, 30, 0, TimeSpan.Zero);

        // Act
        var first = ReplayArtifacts.NewRunDirectory(parent, when);
        File.WriteAllText(Path.Combine(first, "result.json"), "1");
        ReplayArtifacts.PointLatest(first);
        var second = ReplayArtifacts.NewRunDirectory(parent, when);
        File.WriteAllText(Path.Combine(second, "result.json"), "2");
        var latest = ReplayArtifacts.PointLatest(second);

        // Assert
        first.Should().NotBe(second, "two runs in the same second still get a folder each");
        File.ReadAllText(Path.Combine(first, "result.json")).Should().Be("1");
        File.ReadAllText(Path.Combine(latest, "result.json")).Should().Be("2");
        Directory.Delete(parent, recursive: true);
    }

    /// <summary>Lab 01's Fixed service under a scenario with one name wrong, as a scenario drifts from its service.</summary>
    private sealed class MisspeltScenario(string? metric, string? knob) : LabScenario
    {
        public override string Lab => "01-logging-blocking";

        public override string Title => "misspelt";

        public override string Symptom => "none";

        public override string Conditions(double scale) => "ten requests";

        public override IReadOnlyList<LabMetric> LabMetrics => metric is null ? [] : [new LabMetric(metric, "a figure")];

        public override HeadlineSpec Headline { get; } = new("completed", "requests answered", Better.Higher, 1, (_, _, _) => "");

        public override Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
        {
            var settings = new Dictionary<string, string> { ["Lab:LogSinkDelayMs"] = "0" };
            var context = new ScenarioContext(variant, settings, scale);
            settings["Lab:LogDirectory"] = context.TempDirectory("misspelt");
            if (knob is not null) settings[knob] = "100";
            return Task.FromResult(context);
        }

        public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
        {
            using var client = service.CreateClient(2);
            return await LoadDriver.RunRequestsAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{1 + i}"), 2, 10, ct: ct);
        }
    }
}
