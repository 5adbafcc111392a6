using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

namespace Workshop.Cli.Doctor;

/// <summary>How a check came out.</summary>
internal enum Verdict
{
    Ok,

    /// <summary>Not as it should be, but the workshop runs without it.</summary>
    Warning,

    /// <summary>The workshop cannot run like this.</summary>
    Failed,
}

/// <summary>One finding: what was checked, what was found and, when something is wrong, the command that fixes it.</summary>
internal sealed record Finding(string Check, Verdict Verdict, string Detail, string? Fix = null, bool Required = true);

/// <summary>The machine checks behind `workshop doctor`. Each one looks at the machine as it is and never changes it.</summary>
internal static class DoctorChecks
{
    /// <summary>Ports the README's hand-run examples use.</summary>
    public static readonly int[] DocumentedPorts = [5080, 5081, 5180, 5182];

    public static async Task<IReadOnlyList<Finding>> RunAllAsync(string root, CancellationToken ct) =>
    [
        await SdkAsync(root, ct),
        await LocalToolsAsync(root, ct),
        LoopbackPorts(),
        DocumentedPortsFree(),
        LoadTool("wrk", "apt-get install wrk"),
        LoadTool("hey", "apt-get install hey"),
        Prometheus(),
        Redis(),
        RabbitMq(),
        Chromium(),
    ];

    /// <summary>
    /// The SDK that `dotnet` resolves in the repository, which applies global.json's version and roll-forward policy:
    /// when no installed SDK satisfies it, `dotnet --version` fails and says so.
    /// </summary>
    public static async Task<Finding> SdkAsync(string root, CancellationToken ct)
    {
        const string name = ".NET SDK";
        var globalJson = Path.Combine(root, "global.json");
        string? wanted = null, rollForward = null;
        if (File.Exists(globalJson))
        {
            try
            {
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(globalJson, ct));
                if (doc.RootElement.TryGetProperty("sdk", out var sdk))
                {
                    wanted = sdk.TryGetProperty("version", out var v) ? v.GetString() : null;
                    rollForward = sdk.TryGetProperty("rollForward", out var r) ? r.GetString() : null;
                }
            }
            catch (JsonException e)
            {
                return new Finding(name, Verdict.Failed, Texts.Get("Doctor.GlobalJsonInvalid", e.Message), Texts.Get("Doctor.GlobalJsonRestore"));
            }
        }

        ProcessResult version;
        try
        {
            version = await ProcessRunner.RunAsync(ProcessRunner.Dotnet, ["--version"], root, ct: ct);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Finding(name, Verdict.Failed, Texts.Get("Doctor.NoDotnet"), Texts.Get("Doctor.InstallSdk", wanted ?? "10"));
        }

        var asked = wanted is null ? Texts.Get("Doctor.NoPin") : Texts.Get("Doctor.Pin", wanted, rollForward ?? "latestPatch");
        if (version.ExitCode == 0)
            return new Finding(name, Verdict.Ok, Texts.Get("Doctor.SdkFound", version.StandardOutput.Trim(), asked));

        var sdks = await ProcessRunner.RunAsync(ProcessRunner.Dotnet, ["--list-sdks"], Path.GetTempPath(), ct: ct);
        var installed = string.Join(", ", sdks.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
        return new Finding(name, Verdict.Failed,
            Texts.Get("Doctor.NoSdk", asked, installed.Length == 0 ? Texts.Get("Doctor.None") : installed),
            Texts.Get("Doctor.InstallBand", wanted));
    }

    /// <summary>
    /// The tools of dotnet-tools.json, each asked for its version through the SDK (`dotnet tool run COMMAND --version`),
    /// which finds a restored tool wherever NuGet put it and refuses one that is not restored at the manifest's version.
    /// </summary>
    public static async Task<Finding> LocalToolsAsync(string root, CancellationToken ct)
    {
        var name = Texts.Get("Doctor.LocalTools");
        var manifest = new[] { Path.Combine(root, ".config", "dotnet-tools.json"), Path.Combine(root, "dotnet-tools.json") }.FirstOrDefault(File.Exists);
        if (manifest is null) return new Finding(name, Verdict.Warning, Texts.Get("Doctor.NoManifest"), Required: false);

        var wanted = new List<(string Id, string Version, string Command)>();
        using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(manifest, ct)))
        {
            if (doc.RootElement.TryGetProperty("tools", out var tools))
            {
                foreach (var tool in tools.EnumerateObject())
                {
                    var version = tool.Value.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "";
                    var command = tool.Value.TryGetProperty("commands", out var c) && c.GetArrayLength() > 0 ? c[0].GetString() ?? tool.Name : tool.Name;
                    wanted.Add((tool.Name, version, command));
                }
            }
        }

        var runs = await Task.WhenAll(wanted.Select(async t =>
            (Tool: t, Run: await ProcessRunner.RunAsync(ProcessRunner.Dotnet, ["tool", "run", t.Command, "--version"], root, ct: ct))));
        var missing = runs.Where(r => r.Run.ExitCode != 0).Select(r => $"{r.Tool.Id} {r.Tool.Version}").ToList();
        // Required: the heap steps of the notebooks and reports, and the tests that run them, need these tools.
        return missing.Count == 0
            ? new Finding(name, Verdict.Ok, Texts.Get("Doctor.ToolsRestored", wanted.Count, string.Join(", ", wanted.Select(t => t.Id))))
            : new Finding(name, Verdict.Failed, Texts.Get("Doctor.ToolsMissing", string.Join(", ", missing)), "dotnet tool restore");
    }

    /// <summary>Services and the load driver need free loopback ports: four at once (two services, spares).</summary>
    public static Finding LoopbackPorts()
    {
        var name = Texts.Get("Doctor.Loopback");
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port);
            return new Finding(name, Verdict.Ok, Texts.Get("Doctor.LoopbackOk", string.Join(", ", ports)));
        }
        catch (SocketException e)
        {
            return new Finding(name, Verdict.Failed, Texts.Get("Doctor.LoopbackFailed", e.Message), Texts.Get("Doctor.LoopbackFix"));
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }

    /// <summary>The README's hand-run examples use fixed ports; the workshop's own commands never do.</summary>
    public static Finding DocumentedPortsFree()
    {
        var taken = DocumentedPorts.Where(port => !IsFree(port)).ToList();
        var name = Texts.Get("Doctor.ExamplePorts");
        return taken.Count == 0
            ? new Finding(name, Verdict.Ok, Texts.Get("Doctor.PortsFree", string.Join(", ", DocumentedPorts)), Required: false)
            : new Finding(name, Verdict.Warning, Texts.Get("Doctor.PortsTaken", string.Join(", ", taken)),
                Texts.Get("Doctor.PortsFix", string.Join('|', taken)), Required: false);
    }

    /// <summary>wrk and hey are optional: the workshop's load driver needs neither; the incident reports quote hey.</summary>
    public static Finding LoadTool(string tool, string install)
    {
        var path = FindOnPath(tool);
        return path is not null
            ? new Finding(Texts.Get("Doctor.Optional", tool), Verdict.Ok, path, Required: false)
            : new Finding(Texts.Get("Doctor.Optional", tool), Verdict.Warning, Texts.Get("Doctor.LoadToolMissing"), install, Required: false);
    }

    /// <summary>Redis is optional until a lab needs a shared store; the toolkit starts its own on a free loopback port.</summary>
    public static Finding Redis()
    {
        var path = Workshop.Toolkit.Processes.RedisServer.FindExecutable();
        return path is not null
            ? new Finding(Texts.Get("Doctor.Optional", "redis-server"), Verdict.Ok, path, Required: false)
            : new Finding(Texts.Get("Doctor.Optional", "redis-server"), Verdict.Warning, Texts.Get("Doctor.RedisMissing"),
                Workshop.Toolkit.Processes.RedisServer.InstallHint, Required: false);
    }

    /// <summary>RabbitMQ is optional until a lab needs a broker; the toolkit starts its own, with its own epmd, on free loopback ports.</summary>
    public static Finding RabbitMq()
    {
        var path = Workshop.Toolkit.Processes.RabbitMqServer.FindExecutable();
        return path is not null
            ? new Finding(Texts.Get("Doctor.Optional", "rabbitmq-server"), Verdict.Ok, path, Required: false)
            : new Finding(Texts.Get("Doctor.Optional", "rabbitmq-server"), Verdict.Warning, Texts.Get("Doctor.RabbitMissing"),
                Workshop.Toolkit.Processes.RabbitMqServer.InstallHint, Required: false);
    }

    /// <summary>Prometheus is optional for the labs; the diagnostics chapter's monitoring steps start one.</summary>
    public static Finding Prometheus()
    {
        var path = Workshop.Toolkit.Prometheus.PrometheusServer.FindExecutable();
        return path is not null
            ? new Finding(Texts.Get("Doctor.Optional", "prometheus"), Verdict.Ok, path, Required: false)
            : new Finding(Texts.Get("Doctor.Optional", "prometheus"), Verdict.Warning, Texts.Get("Doctor.PrometheusMissing"),
                Workshop.Toolkit.Prometheus.PrometheusServer.InstallHint, Required: false);
    }

    /// <summary>A browser is optional: `replay --live` opens the default one, and its own tests drive Debian's Chromium headless.</summary>
    public static Finding Chromium()
    {
        const string path = "/usr/bin/chromium";
        return File.Exists(path)
            ? new Finding(Texts.Get("Doctor.Optional", "chromium"), Verdict.Ok, path, Required: false)
            : new Finding(Texts.Get("Doctor.Optional", "chromium"), Verdict.Warning, Texts.Get("Doctor.ChromiumMissing"),
                "sudo apt-get install chromium", Required: false);
    }

    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static string? FindOnPath(string tool)
    {
        var names = OperatingSystem.IsWindows() ? new[] { tool + ".exe", tool + ".cmd" } : [tool];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);
    }
}
