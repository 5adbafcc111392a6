using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Workshop.Cli.Infrastructure;

/// <summary>What a finished subprocess printed.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public IEnumerable<string> Lines => (StandardOutput + "\n" + StandardError).Split('\n').Select(l => l.TrimEnd('\r'));
}

/// <summary>Runs a tool (dotnet build, dotnet test, dotnet tool list) to its end, and kills its whole tree if cancelled.</summary>
internal static class ProcessRunner
{
    // Tools still running, so a signal that ends the CLI can end them too (the toolkit does the same for services).
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    /// <summary>
    /// The dotnet host to run: the one the SDK names for its children, else the one running us (`dotnet workshop.dll`),
    /// else whatever `dotnet` is on PATH.
    /// </summary>
    public static string Dotnet
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // No MSBuild node may outlive the command: a leftover node keeps a CPU core and our pipes busy.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        Live[process.Id] = process;
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var drains = Task.WhenAll(DrainAsync(process.StandardOutput, stdout), DrainAsync(process.StandardError, stderr));
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        finally
        {
            Live.TryRemove(process.Id, out _);
        }

        // Bounded: a grandchild that outlives the tool (a compiler server) may hold the pipes open for minutes.
        await Task.WhenAny(drains, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        lock (stdout) lock (stderr) return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Kills every tool still running, with its children (MSBuild nodes, test hosts).</summary>
    public static void KillAll()
    {
        foreach (var process in Live.Values.ToArray()) Kill(process);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or already reaped by its owner.
        }
    }

    private static async Task DrainAsync(StreamReader reader, StringBuilder into)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (into) into.Append(line).Append('\n');
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    }
}
