using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Check;

/// <summary>One test of a spec run.</summary>
/// <param name="Name">As the runner names it, e.g. <c>RequestLogSpec.Requests_WhileTheLogDiskStalls_DoNotWaitForIt [broken]</c>.</param>
/// <param name="Passed">True when it passed; skipped tests are left out of a run.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="Message">The failure message (the symptom in numbers), null when it passed.</param>
internal sealed record SpecTest(string Name, bool Passed, TimeSpan Duration, string? Message);

/// <summary>
/// A lab's spec run against Broken: each test's verdict, or why there is none (the build failed), and how the time
/// split between the build and the tests (<paramref name="Build"/>; the rest of <paramref name="Elapsed"/> is the run).
/// </summary>
internal sealed record SpecRun(IReadOnlyList<SpecTest> Tests, TimeSpan Elapsed, string? Problem = null, TimeSpan? Build = null)
{
    public int Passed => Tests.Count(t => t.Passed);

    public int Failed => Tests.Count(t => !t.Passed);

    /// <summary>Green needs at least one test and no failure: a run that found no test proves nothing.</summary>
    public bool IsGreen => Problem is null && Tests.Count > 0 && Failed == 0;
}

/// <summary>Runs a lab's spec against its Broken service (the real one runs `dotnet test`; tests substitute a fake).</summary>
internal interface ISpecRunner
{
    /// <param name="root">The repository root.</param>
    /// <param name="lab">The lab whose Tests project runs.</param>
    /// <param name="phase">"building", "running": for a status line.</param>
    /// <param name="ct">Kills the build or test run.</param>
    Task<SpecRun> RunAsync(string root, LabInfo lab, IProgress<string>? phase, CancellationToken ct);
}
