namespace Workshop.Toolkit.Replay;

/// <summary>Every lab's replay scenario, by lab id.</summary>
public static class Scenarios
{
    /// <summary>The scenarios of the labs that exist in this repository, in lab order.</summary>
    public static IReadOnlyList<LabScenario> All { get; } = [new LoggingBlockingScenario(), new ClosureLeakScenario(), new CacheNoTtlScenario()];

    /// <summary>The scenario of a lab ("01", "1" or "01-logging-blocking").</summary>
    /// <exception cref="ArgumentException">No lab, or no scenario for it.</exception>
    public static LabScenario Find(string lab)
    {
        var info = Labs.Find(lab);
        return All.FirstOrDefault(s => s.Lab == info.Name)
               ?? throw new ArgumentException($"Lab {info.Name} has no replay scenario yet; replayable: {string.Join(", ", All.Select(s => s.Id))}.", nameof(lab));
    }
}
