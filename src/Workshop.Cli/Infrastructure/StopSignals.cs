using System.Runtime.InteropServices;
using Spectre.Console;
using Workshop.Toolkit.Processes;

namespace Workshop.Cli.Infrastructure;

/// <summary>
/// What Ctrl+C and SIGTERM do to a running command.
/// <list type="bullet">
/// <item>The first Ctrl+C cancels the commands' token: a replay stops its services (SIGTERM, then a kill after a
/// grace period) and the CLI exits with 130. Handlers of Console.CancelKeyPress run in the order they were added and
/// share one Cancel flag, so the toolkit (which listens there too, later) sees that we are shutting down in order.</item>
/// <item>A second Ctrl+C is left to the runtime: the process ends at once, and on its way out the toolkit kills
/// every service it started and we kill the tools we started (dotnet build, dotnet test).</item>
/// <item>SIGTERM is not cancelled: a supervisor that sends it (a CI job, `timeout`, a container stop) usually
/// follows with SIGKILL, so we end now rather than gracefully. The toolkit's own SIGTERM handler kills its
/// services, we kill our tools, and the runtime ends the process with 143. Not cancelling matters: .NET does not
/// promise an order between POSIX signal handlers, and a handler of ours that cancelled the signal would stop the
/// toolkit's from killing whenever ours happened to run first.</item>
/// </list>
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly IAnsiConsole _err;
    private readonly PosixSignalRegistration? _sigterm;
    private int _interrupts;

    public StopSignals(IAnsiConsole err)
    {
        _err = err;
        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => OnTerminate());
        }
        catch (PlatformNotSupportedException)
        {
            _sigterm = null;
        }
    }

    public CancellationToken Token => _cts.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _cts.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Interlocked.Increment(ref _interrupts) == 1)
        {
            e.Cancel = true;
            // Cancel before a word is written: writing waits for the console, which a live display may hold, and the
            // stop must not wait on it (a busy CI machine once saw no stop within a minute of Ctrl+C). The word goes
            // from the pool, so this signal thread is free for a second Ctrl+C.
            _cts.Cancel();
            _ = Task.Run(() => _err.MarkupLine("[yellow]Stopping: shutting the services down (Ctrl+C again to kill them at once).[/]"));
            return;
        }

        ProcessRunner.KillAll();
    }

    private void OnTerminate()
    {
        // Kill first, then say so: the process ends when this returns, and the kill must not wait on the console.
        ProcessRunner.KillAll();
        _cts.Cancel();
        _err.MarkupLine("[yellow]Terminated: killed the services and tools this command started.[/]");
    }
}
