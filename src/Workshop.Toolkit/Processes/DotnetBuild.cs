namespace Workshop.Toolkit.Processes;

/// <summary>Builds lab projects in Release, once per project per process, and finds their output assembly.</summary>
internal static class DotnetBuild
{
    /// <summary>
    /// Set to 1 when everything is already built (test.sh builds the solution once, up front): a project whose assembly
    /// is there is used as it is, and only one that was never built (a scratch lab a test makes) is built.
    /// </summary>
    public const string NoBuildVariable = "WORKSHOP_NO_BUILD";

    // One build at a time: the labs share src/ projects, and two builds writing the same obj/ folder collide.
    // The semaphore orders this process's callers; a lock file orders processes (two test runs, a notebook).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Built = new(StringComparer.Ordinal);

    /// <summary>The dotnet host that runs us when there is one (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string Host =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Builds <paramref name="project"/> unless this process already did, and returns its built dll.</summary>
    public static async Task<string> EnsureBuiltAsync(string project, CancellationToken ct)
    {
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Built.TryGetValue(project, out var known)) return known;
            var dll = await TargetPathAsync(project, ct).ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable(NoBuildVariable) != "1" || !File.Exists(dll))
            {
                using var crossProcess = await BuildLock.AcquireAsync(Repo.Root, ct).ConfigureAwait(false);
                // nodeReuse off: a build node left running would keep our output pipe and a CPU core busy.
                await RunAsync(project, ct, "build", project, "-c", "Release", "--nologo", "-v", "q", "-nodeReuse:false")
                    .ConfigureAwait(false);
            }

            if (!File.Exists(dll)) throw new FileNotFoundException($"{Path.GetFileName(project)} built no assembly at '{dll}'.", dll);
            Built[project] = dll;
            return dll;
        }
        finally
        {
            Gate.Release();
        }
    }

    // Ask MSBuild rather than guess bin/Release/net10.0/<name>.dll: a project may set its own AssemblyName.
    private static async Task<string> TargetPathAsync(string project, CancellationToken ct)
    {
        var output = await RunAsync(project, ct, "msbuild", project, "-nologo", "-p:Configuration=Release", "-getProperty:TargetPath").ConfigureAwait(false);
        return output.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
    }

    private static async Task<IReadOnlyList<string>> RunAsync(string project, CancellationToken ct, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(Host, args, Path.GetDirectoryName(project)!, ct: ct).ConfigureAwait(false);
        var lines = result.Lines.ToList();
        return result.ExitCode == 0
            ? result.StandardOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList()
            : throw new InvalidOperationException(
                $"'dotnet {string.Join(' ', args)}' failed with exit code {result.ExitCode}:{Environment.NewLine}" +
                string.Join(Environment.NewLine, lines.Where(l => l.Trim().Length > 0).TakeLast(40)));
    }
}
