using System.Text.RegularExpressions;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>Threads stopped at the same place in the lab's code.</summary>
/// <param name="Via">The innermost frame of the lab's own code on those threads' stacks.</param>
/// <param name="Calls">What that frame called and is still inside (a lock, a flush, a wait).</param>
/// <param name="Innermost">The innermost frame of all, where the thread actually is.</param>
/// <param name="Threads">How many threads share this place.</param>
public sealed record ThreadGroup(string Via, string Calls, string Innermost, int Threads);

/// <summary>
/// The .NET diagnostic tools of the repository's tool manifest (dotnet-stack, dotnet-counters, dotnet-gcdump,
/// dotnet-trace), run against a service process, as an engineer runs them on a box in trouble.
/// Run <c>dotnet tool restore</c> once first.
/// </summary>
public static partial class DotnetDiagnostics
{
    /// <summary>Runs <c>dotnet tool run TOOL -- ARGS</c> from the repository root and returns what it printed.</summary>
    /// <exception cref="InvalidOperationException">The tool failed or is not restored; the message says which.</exception>
    public static async Task<string> RunToolAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var result = await ProcessRunner.RunAsync(DotnetBuild.Host, ["tool", "run", tool, "--", .. arguments], Repo.Root, ct: ct,
            timeout: timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidOperationException(
                $"{tool} exited with {result.ExitCode} (run `dotnet tool restore` at the repository root if it is missing): {result.StandardError}{result.StandardOutput}".Trim());
    }

    /// <summary>Every managed thread's stack of a process, as <c>dotnet-stack report -p PID</c> prints it.</summary>
    public static Task<string> StackReportAsync(int processId, CancellationToken ct = default) =>
        RunToolAsync("dotnet-stack", ["report", "-p", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct: ct);

    /// <summary>
    /// Where a process's threads spend their time: <c>dotnet-trace collect</c> for <paramref name="duration"/> with the
    /// sampled thread-time profile (every managed thread's stack about 100 times a second), then
    /// <c>dotnet-trace report FILE topN</c>, the <paramref name="top"/> methods most often on top of a stack
    /// (<paramref name="inclusive"/>: anywhere on it). Idle pool threads show as waits; the busy ones as the code that keeps them busy.
    /// </summary>
    public static async Task<string> TraceTopAsync(int processId, TimeSpan duration, int top = 10, bool inclusive = false, CancellationToken ct = default)
    {
        var file = Path.Combine(Path.GetTempPath(), $"trace-{processId}-{Guid.NewGuid():N}.nettrace");
        try
        {
            await RunToolAsync("dotnet-trace",
            [
                "collect", "-p", processId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time",
                "--duration", duration.ToString(@"dd\:hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture), "-o", file,
            ], duration + TimeSpan.FromSeconds(90), ct).ConfigureAwait(false);
            string[] report = ["report", file, "topN", "-n", top.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            return await RunToolAsync("dotnet-trace", inclusive ? [.. report, "--inclusive"] : report, TimeSpan.FromSeconds(120), ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
            File.Delete(Path.ChangeExtension(file, ".etlx"));
        }
    }

    /// <summary>
    /// Groups the threads of a <c>dotnet-stack</c> report that are inside code whose names start with
    /// <paramref name="codePrefix"/> (a namespace, e.g. <c>Lab01.</c>) by where that code is and what it called:
    /// thirty threads waiting for the same lock in the same method read as one line.
    /// </summary>
    public static IReadOnlyList<ThreadGroup> GroupThreads(string stackReport, string codePrefix)
    {
        var groups = new Dictionary<(string Via, string Calls, string Innermost), int>();
        foreach (var thread in ThreadHeader().Split(stackReport).Skip(1))
        {
            // dotnet-stack lists frames innermost first, as "Module!Namespace.Type.Method(args)".
            var frames = thread.Split('\n').Select(l => l.Trim()).Where(l => l.Contains('!', StringComparison.Ordinal)).Select(Shorten).ToList();
            var at = frames.FindIndex(f => f.StartsWith(codePrefix, StringComparison.Ordinal));
            if (at < 0) continue;
            var key = (frames[at], frames[Math.Max(0, at - 1)], frames[0]);
            groups[key] = groups.GetValueOrDefault(key) + 1;
        }
        return groups.Select(g => new ThreadGroup(g.Key.Via, g.Key.Calls, g.Key.Innermost, g.Value)).OrderByDescending(g => g.Threads).ToList();
    }

    // "System.Private.CoreLib!System.Threading.Lock.TryEnterSlow(int32,...)" -> "System.Threading.Lock.TryEnterSlow"
    private static string Shorten(string frame)
    {
        var bang = frame.IndexOf('!', StringComparison.Ordinal);
        var name = bang >= 0 ? frame[(bang + 1)..] : frame;
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        return paren >= 0 ? name[..paren] : name;
    }

    [GeneratedRegex(@"^\s*Thread \(0x[0-9A-Fa-f]+\):", RegexOptions.Multiline)]
    private static partial Regex ThreadHeader();
}
