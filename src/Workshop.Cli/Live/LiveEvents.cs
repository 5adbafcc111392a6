using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workshop.Cli.Live;

// The live page's events, one record per Server-Sent Events type, serialized in camelCase by the source-generated
// context below: the contract app.js reads (its handlers are named after the event types; LiveEventsContractTests
// checks that every field app.js reads of an event is a property of its record). A figure that is not a finite
// number is null.

/// <summary><c>lab</c>: a lab's replay begins.</summary>
/// <param name="Colours">Each variant's colour, by its name (Broken, Fixed), as the charts draw them.</param>
/// <param name="Live">`workshop live` rather than a replay: the conditions are the session's, and there is no headline.</param>
internal sealed record LabEvent(string Lab, string Id, string Title, string Conditions, int Index, int Count, string Headline, string Better,
    IReadOnlyDictionary<string, string> Colours, IReadOnlyList<LabMetricEvent> Metrics, bool Live);

/// <summary>One of the lab's own figures, and the variants that have it.</summary>
internal sealed record LabMetricEvent(string Name, string Label, IReadOnlyList<string> Variants);

/// <summary><c>service</c>: a variant's process is up.</summary>
internal sealed record ServiceEvent(string Variant, int Pid, string Url);

/// <summary><c>phase</c>: a variant moves on (starting, load, stopping, done), with its run's figures once done.</summary>
internal sealed record PhaseEvent(string Variant, string Phase, RunFigures? Figures);

/// <summary>
/// <c>sample</c>: a second of load. <see cref="MetricsStale"/> is true when the last answer of the service's
/// /metrics is older than two seconds (or there was none): its figures are then null, and the page says so.
/// </summary>
internal sealed record SampleEvent(string Variant, double T, long Completed, long InFlight, double? PerSecond, double? P50, double? P99,
    double? OldestWaiting, long Errors, long Timeouts, double? HeapBytes, double? Queue, double? MetricsAge, bool MetricsStale,
    IReadOnlyDictionary<string, double?> Lab);

/// <summary>A finished variant's figures, as the JSON output gives them, and the lab's own by name.</summary>
internal sealed record RunFigures(IReadOnlyDictionary<string, double?> Values, IReadOnlyDictionary<string, double?> Lab);

/// <summary><c>result</c>: the lab's replay is over.</summary>
internal sealed record ResultEvent(string Lab, HeadlineEvent Headline, string Sentence, RunFigures Broken, RunFigures Fixed, IReadOnlyList<string[]> Rows);

/// <summary>The headline figure of both variants and their ratio, as numbers and as the terminal prints them.</summary>
internal sealed record HeadlineEvent(string Label, string Better, double? Broken, double? Fixed, double? Ratio, string BrokenText, string FixedText, string RatioText);

/// <summary><c>failed</c>: one lab of <c>replay all</c> failed; the others go on.</summary>
internal sealed record FailedEvent(string Lab, string Message);

/// <summary><c>end</c>: the replay is over (finished, stopped or failed).</summary>
internal sealed record EndEvent(string Reason, string Message);

/// <summary><c>knobs</c>: a live session (<c>workshop live</c>) begins: the lab's knobs, each at its position, and how the load runs.</summary>
/// <param name="OneAtATime">True when the load goes to one variant at a time, in turns of <paramref name="TurnSeconds"/>; <paramref name="Why"/> says why.</param>
internal sealed record KnobsEvent(IReadOnlyList<KnobEvent> Knobs, string Load, bool OneAtATime, string? Why, double TurnSeconds);

/// <summary>One knob of a live session: its name, words, target (service, environment, load), positions and current value.</summary>
internal sealed record KnobEvent(string Name, string Label, string Target, IReadOnlyList<KnobSettingEvent> Settings, string Value);

/// <summary>A knob's position: the button's words and the value it sets.</summary>
internal sealed record KnobSettingEvent(string Label, string Value);

/// <summary><c>knob</c>: a knob was turned on both variants, at <paramref name="At"/> seconds; per variant, how long it took in ms.</summary>
internal sealed record KnobChangedEvent(string Name, string Value, string Label, double At, IReadOnlyDictionary<string, double> AppliedMs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LabEvent))]
[JsonSerializable(typeof(ServiceEvent))]
[JsonSerializable(typeof(PhaseEvent))]
[JsonSerializable(typeof(SampleEvent))]
[JsonSerializable(typeof(ResultEvent))]
[JsonSerializable(typeof(FailedEvent))]
[JsonSerializable(typeof(EndEvent))]
[JsonSerializable(typeof(KnobsEvent))]
[JsonSerializable(typeof(KnobChangedEvent))]
internal sealed partial class LiveEventsJson : JsonSerializerContext;
