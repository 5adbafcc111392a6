using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Workshop.Cli.Live;
using Workshop.Cli.Tests.Support;
using Xunit;

namespace Workshop.Cli.Tests;

/// <summary>The live page's events: one contract, the records the server sends, which app.js reads.</summary>
public sealed partial class LiveEventsContractTests
{
    private static readonly Dictionary<string, Type> Events = new(StringComparer.Ordinal)
    {
        ["lab"] = typeof(LabEvent), ["service"] = typeof(ServiceEvent), ["phase"] = typeof(PhaseEvent), ["sample"] = typeof(SampleEvent),
        ["result"] = typeof(ResultEvent), ["failed"] = typeof(FailedEvent), ["end"] = typeof(EndEvent),
        ["knobs"] = typeof(KnobsEvent), ["knob"] = typeof(KnobChangedEvent),
    };

    [Fact]
    public void AppJs_EachHandler_ReadsOnlyFieldsItsEventHas()
    {
        // Arrange
        var script = File.ReadAllText(Path.Combine(ScratchRepo.RealRoot, "src", "Workshop.Cli", "Live", "wwwroot", "app.js"));
        var handlers = Handler().Matches(script).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value, StringComparer.Ordinal);

        // Act: the fields of `e` each handler reads, beside the properties its record serializes.
        var unknown = handlers
            .SelectMany(h => Field().Matches(h.Value).Select(f => f.Groups[1].Value).Distinct()
                .Where(field => !Events.TryGetValue(h.Key, out var type) || !Properties(type).Contains(field))
                .Select(field => $"{h.Key}: e.{field}"))
            .ToList();

        // Assert
        handlers.Keys.Should().BeEquivalentTo(Events.Keys, "app.js handles every event type the server sends, and no other");
        unknown.Should().BeEmpty("every field app.js reads of an event is a property of its record in LiveEvents.cs");
    }

    [Fact]
    public void SampleEvent_Serialized_SendsTheStaleFlagAndNullForMissingFigures()
    {
        // Arrange
        var sample = new SampleEvent("Broken", 1.5, 10, 2, 5, 1, 2, 3, 0, 0, null, null, 3.2, true, new Dictionary<string, double?> { ["log_queue_length"] = null });

        // Act
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(sample, LiveEventsJson.Default.SampleEvent));

        // Assert
        json.RootElement.GetProperty("metricsStale").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("heapBytes").ValueKind.Should().Be(JsonValueKind.Null);
        json.RootElement.GetProperty("lab").GetProperty("log_queue_length").ValueKind.Should().Be(JsonValueKind.Null, "figure names keep their own spelling");
    }

    private static HashSet<string> Properties(Type record) =>
        record.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);

    // A handler of the `handlers` object: "  name(e) {" up to the line that closes it at the same indent.
    [GeneratedRegex(@"^  (?<name>\w+)\(e\) \{\n(?<body>.*?)\n  \},?$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Handler();

    [GeneratedRegex(@"\be\.(\w+)")]
    private static partial Regex Field();
}
