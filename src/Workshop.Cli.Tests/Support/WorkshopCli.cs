using System.Globalization;
using Spectre.Console.Testing;
using Workshop.Cli.Check;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Tests.Support;

/// <summary>What one in-process run of the CLI left behind.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Err)
{
    public IReadOnlyList<string> ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs the CLI in-process with test consoles, over any repository root, with learner state in a temp folder.</summary>
internal static class WorkshopCli
{
    /// <param name="environment">The variables the run sees (WORKSHOP_LANG, LANG ...); none by default, and the system
    /// locale is the invariant one, so a run speaks English unless it asks for another language.</param>
    public static async Task<CliRun> RunAsync(string root, string stateDirectory, string[] args, ISpecRunner? runner = null,
        WatchTiming? timing = null, CancellationToken ct = default, int width = 250, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Wide consoles by default: assertions look for whole phrases, which an 80-column console would wrap.
        var @out = new TestConsole().Width(width);
        var err = new TestConsole().Width(250);
        var workspace = new Workspace(root, @out, err, stateDirectory);
        var code = await WorkshopApp.RunAsync(() => WorkshopApp.Create(workspace, runner ?? new DotnetSpecRunner(), timing), err, args, name => environment?.GetValueOrDefault(name), CultureInfo.InvariantCulture, ct);
        return new CliRun(code, @out.Output, err.Output);
    }
}
