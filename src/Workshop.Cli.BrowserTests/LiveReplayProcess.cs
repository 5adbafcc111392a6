using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.BrowserTests;

/// <summary>
/// `./workshop replay ... --live` as a user starts it, in a process of its own: its stdout and stderr collected, the
/// live page's address read off stderr. Disposing kills what is still running (the test failed half-way).
/// </summary>
internal sealed partial class LiveReplayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LiveReplayProcess(Process process) => _process = process;

    /// <summary>The repository's root, found as the CLI and notebooks find it.</summary>
    public static string Root { get; } = Repo.Root;

    public int ProcessId => _process.Id;

    public string Out { get { lock (_out) return _out.ToString(); } }

    public string Err { get { lock (_err) return _err.ToString(); } }

    public static LiveReplayProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Root, "workshop"), args)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var replay = new LiveReplayProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (replay._out) replay._out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (replay._err) replay._err.AppendLine(e.Data);
            if (PageAddress().Match(e.Data) is { Success: true } m) replay._address.TrySetResult(new Uri(m.Value));
        };
        process.Exited += (_, _) => replay._address.TrySetException(new InvalidOperationException($"workshop exited ({process.ExitCode}) before it printed the live page's address.\n{replay.Err}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replay;
    }

    /// <summary>The live page's address, once the CLI (built first when stale) has printed it.</summary>
    public async Task<Uri> AddressAsync(TimeSpan timeout) =>
        await _address.Task.WaitAsync(timeout).ConfigureAwait(false);

    /// <summary>Waits for the CLI to exit; its exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"workshop was still running {timeout.TotalSeconds:0} s after it was expected to end.\n{Err}");
        }
        return _process.ExitCode;
    }

    /// <summary>True while a process of that id runs (zombies count as gone: they hold no port and no memory).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex PageAddress();
}
