using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Workshop.Toolkit.Processes;

/// <summary>
/// Every service this process started and has not yet stopped, killed when this process ends: on normal exit
/// (ProcessExit), on Ctrl+C, and on SIGTERM or SIGHUP. .NET raises no ProcessExit for a process that a signal
/// terminates, hence the signal registrations; a handler that cancels the signal (a host shutting down gracefully,
/// a notebook kernel interrupting a cell) keeps the children, and ProcessExit catches them if the process then ends.
/// Limitation: SIGKILL (or a crash of the runtime itself) runs no code at all, so children outlive such a parent;
/// .NET offers no portable "die with the parent" for a child started through <see cref="Process"/>. Such orphans
/// hold only a loopback port; find them with <c>pgrep -f 'dotnet .*labs/'</c>.
/// </summary>
internal static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    // Kept in fields: a registration that is collected stops handling its signal.
    private static readonly PosixSignalRegistration[] Signals = RegisterSignals();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, e) =>
        {
            if (!e.Cancel) KillAll();
        };
    }

    private static PosixSignalRegistration[] RegisterSignals()
    {
        try
        {
            // On Windows these map to the console's close and shutdown events.
            return [Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGHUP)];
        }
        catch (PlatformNotSupportedException)
        {
            return [];
        }

        static PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
        {
            if (!context.Cancel) KillAll();
        });
    }

    public static void Add(Process process) => Live[process.Id] = process;

    public static void Remove(Process process) => Live.TryRemove(process.Id, out _);

    public static IReadOnlyCollection<int> Ids => Live.Keys.ToArray();

    public static void KillAll()
    {
        var children = Live.Values.ToArray();
        Live.Clear();
        foreach (var process in children) KillTree(process);
        // Reap them while we still can, so no zombie is left for init to collect.
        foreach (var process in children)
        {
            try
            {
                process.WaitForExit(TimeSpan.FromSeconds(1));
            }
            catch (InvalidOperationException)
            {
                // Disposed: already stopped by its owner.
            }
        }
    }

    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not ours to kill any more (already reaped); nothing left to do.
        }
    }

    /// <summary>Asks the process to stop: SIGTERM on Unix, so the host runs its shutdown; Windows has no such signal.</summary>
    /// <returns>False when no polite request could be sent, so the caller should kill.</returns>
    public static bool RequestStop(Process process)
    {
        if (OperatingSystem.IsWindows()) return false;
        return Native.kill(process.Id, Native.SIGTERM) == 0;
    }

    private static class Native
    {
        public const int SIGTERM = 15; // The same number on Linux and macOS.

        // DllImport rather than LibraryImport: the generated stub needs unsafe code, and int arguments need no marshalling.
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
    }
}

/// <summary>The last lines a child wrote to stdout and stderr, kept so a failure can show them.</summary>
internal sealed class OutputRing(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity) _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lines) return _lines.ToArray();
    }

    /// <summary>
    /// Reads a stream to its end on a background task. A child that fills a pipe nobody reads blocks on its next
    /// write, which would look exactly like the incidents the labs teach.
    /// </summary>
    public Task Drain(StreamReader reader, string prefix) => Task.Run(async () =>
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) Add(prefix + line);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    });
}
