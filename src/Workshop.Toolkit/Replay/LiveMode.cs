using System.Collections.Concurrent;
using System.Globalization;

namespace Workshop.Toolkit.Replay;

/// <summary>What a live knob turns.</summary>
public enum KnobTarget
{
    /// <summary>A <c>Lab:</c> knob the services read live (through <c>IOptionsMonitor</c>), set on both through their knob endpoint.</summary>
    Service,

    /// <summary>Something around the services, the same for both (a downstream fake each run calls), set by the scenario.</summary>
    Environment,

    /// <summary>The steady load itself (the share of distinct links, the retries of a batch job), read by the scenario's live drive.</summary>
    Load,
}

/// <summary>One position of a live knob: what the page's button says, and the value it sets.</summary>
public sealed record LiveSetting(string Label, string Value);

/// <summary>
/// A switch or a graded setting on the live page: its name (for a <see cref="KnobTarget.Service"/> knob, the
/// <c>Lab:</c> key the services read), its words, what it turns, its positions, and the position it starts in (the
/// incident off).
/// </summary>
public sealed record LiveKnob(string Name, string Label, KnobTarget Target, IReadOnlyList<LiveSetting> Settings, string Initial)
{
    /// <summary>The position whose value is <paramref name="value"/>, or null when the knob has none.</summary>
    public LiveSetting? Setting(string value) => Settings.FirstOrDefault(s => string.Equals(s.Value, value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// How <c>workshop live</c> runs a lab: its knobs, the steady load in words, and whether the two variants may run at
/// the same time. <paramref name="OneAtATimeBecause"/> set: the two would share the CPU and spoil each other's figures,
/// so the load goes to one variant at a time, in turns of <paramref name="Turn"/>, and the page says why.
/// </summary>
public sealed record LiveMode(IReadOnlyList<LiveKnob> Knobs, string Load, string? OneAtATimeBecause = null, TimeSpan Turn = default)
{
    /// <summary>True when the variants take the load in turns.</summary>
    public bool OneAtATime => OneAtATimeBecause is not null;

    /// <summary>How long each variant's turn lasts when they take turns (20 s unless the lab says).</summary>
    public TimeSpan TurnLength => Turn > TimeSpan.Zero ? Turn : TimeSpan.FromSeconds(20);
}

/// <summary>The knobs' current values in a live session, read by a scenario's live drive (thread-safe, read on every request).</summary>
public sealed class LiveKnobValues
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Starts with every knob at its initial position.</summary>
    public LiveKnobValues(IEnumerable<LiveKnob> knobs)
    {
        ArgumentNullException.ThrowIfNull(knobs);
        foreach (var knob in knobs) _values[knob.Name] = knob.Initial;
    }

    /// <summary>The knob's value now.</summary>
    /// <exception cref="KeyNotFoundException">No such knob.</exception>
    public string this[string name] => _values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"No live knob '{name}'.");

    /// <summary>The knob's value now, as a number.</summary>
    public double Number(string name) => double.Parse(this[name], CultureInfo.InvariantCulture);

    /// <summary>Every knob and its value.</summary>
    public IReadOnlyDictionary<string, string> All => new Dictionary<string, string>(_values, StringComparer.OrdinalIgnoreCase);

    internal void Set(string name, string value) => _values[name] = value;
}
