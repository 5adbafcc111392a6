using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Text;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Tests.Support;
using Workshop.Toolkit.Processes;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>The built CLI as a real process: exit codes, and what Ctrl+C or SIGTERM leaves behind (nothing).</summary>
public sealed partial class ProcessTests(ITestOutputHelper output)
{
    private const int SIGINT = 2;
    private const int SIGTERM = 15;

    [Fact]
    public async Task Cli_UnknownLab_PrintsOneLineOnStderrAndExitsTwo()
    {
        // Act
        using var cli = StartCli("hint", "99");
        await cli.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        cli.Process.ExitCode.Should().Be(2);
        cli.Stdout.ToString().Should().BeEmpty();
        cli.Stderr.ToString().Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: No lab '99'");
    }

    [LinuxTheory]
    [InlineData(SIGINT, 130, "Replay cancelled; its services are stopped.")]
    [InlineData(SIGTERM, 143, "Terminated: killed the services")]
    public async Task Replay_InterruptedWhileServicesRun_LeavesNoServiceProcessOrPort(int signal, int expectedExit, string says)
    {
        // Arrange: a long replay; wait until its Broken service is under load: its clients' connections are open
        // (the service itself is too stalled to say so quickly).
        using var cli = StartCli("replay", "01", "--scale", "10", "--out", Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}"));
        var (servicePid, port) = await Eventually(() => FindService(cli.Process.Id), TimeSpan.FromSeconds(120), "the Broken service to start");
        await Eventually(() => OpenConnections(port) >= 10 ? (bool?)true : null, TimeSpan.FromSeconds(60), "the Broken service to be under load");

        // Act
        kill(cli.Process.Id, signal).Should().Be(0);
        var exited = await Task.WhenAny(cli.Process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) is { IsCompletedSuccessfully: true } t
                     && cli.Process.HasExited;
        output.WriteLine(cli.Stderr.ToString());

        // Assert
        exited.Should().BeTrue("the CLI stops within its services' grace period");
        cli.Process.ExitCode.Should().Be(expectedExit);
        IsRunning(servicePid).Should().BeFalse($"the service (pid {servicePid}) must not outlive the CLI");
        Accepts(port).Should().BeFalse($"nothing may listen on the service's port {port} any more");
        cli.Stderr.ToString().Should().Contain(says);
    }

    private sealed class RunningCli(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public StringBuilder Stdout { get; } = new();

        public StringBuilder Stderr { get; } = new();

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    /// <summary>The workshop.dll built beside the tests (an Exe reference is copied with its runtimeconfig).</summary>
    private static RunningCli StartCli(params string[] args)
    {
        // Through env --default-signal=INT: a process started in the background by a script (as a CI job or a nohup'd
        // run starts the test host) inherits SIGINT ignored, and the runtime rightly leaves an ignored SIGINT ignored,
        // so the CLI would never see the Ctrl+C this test sends. A user's terminal gives it the default.
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = ScratchRepo.RealRoot,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add(ProcessRunner.Dotnet);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["WORKSHOP_ROOT"] = ScratchRepo.RealRoot;
        var cli = new RunningCli(Process.Start(info)!);
        cli.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli.Stdout) cli.Stdout.AppendLine(e.Data); };
        cli.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli.Stderr) cli.Stderr.AppendLine(e.Data); };
        cli.Process.BeginOutputReadLine();
        cli.Process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>A child of <paramref name="parent"/> running a lab service, and the port of its --urls.</summary>
    private static (int Pid, int Port)? FindService(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (ppid != parent) continue;
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (ServiceUrl().Match(cmdline) is { Success: true } m) return (pid, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process ended while we read it.
            }
        }
        return null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X'); // a zombie has exited; only its entry remains
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Established TCP connections to <paramref name="port"/> on this machine, from /proc/net/tcp.</summary>
    private static int? OpenConnections(int port)
    {
        var local = $":{port:X4} ";
        // Columns: sl, local_address, rem_address, st (01 = ESTABLISHED), ...
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(c => c.Length > 3 && (c[1] + " ").EndsWith(local, StringComparison.Ordinal) && c[3] == "01");
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it gives a value: the state of other processes has no event to wait on.</summary>
    private static async Task<T> Eventually<T>(Func<T?> probe, TimeSpan timeout, string what) where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (probe() is { } value) return value;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
    }

    [GeneratedRegex(@"Lab\d+\.\w+\.dll --urls http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ServiceUrl();

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // int arguments need no marshalling, so no generated stub (and no unsafe code) is needed
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
