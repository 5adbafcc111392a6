namespace Workshop.Toolkit;

/// <summary>Builds lab projects in Release, once per project per process, and finds their output assembly.</summary>
internal static class DotnetBuild
{
    /// <summary>Set to 1 when everything is already built (CI builds the solution once, up front).</summary>
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
            if (Environment.GetEnvironmentVariable(NoBuildVariable) != "1")
            {
                using var crossProcess = await BuildLock.AcquireAsync(Repo.Root, ct).ConfigureAwait(false);
                // nodeReuse off: a build node left running would keep our output pipe and a CPU core busy.
                await RunAsync(project, ct, "build", project, "-c", "Release", "--nologo", "-v", "q", "-nodeReuse:false")
                    .ConfigureAwait(false);
            }

            // Ask MSBuild rather than guess bin/Release/net10.0/<name>.dll: a project may set its own AssemblyName.
            var output = await RunAsync(project, ct, "msbuild", project, "-nologo", "-p:Configuration=Release", "-getProperty:TargetPath")
                .ConfigureAwait(false);
            var dll = output.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException(
                    $"{Path.GetFileName(project)} has no built assembly at '{dll}'." +
                    (Environment.GetEnvironmentVariable(NoBuildVariable) == "1" ? $" {NoBuildVariable}=1 is set: build it first." : ""),
                    dll);
            }

            Built[project] = dll;
            return dll;
        }
        finally
        {
            Gate.Release();
        }
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
