using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workshop.ServiceKit;

namespace Workshop.Pipeline.Benchmarks;

/// <summary>
/// What a layer costs a request: one GET over a real loopback socket (Kestrel, keep-alive) to an endpoint answering
/// 1 KB of JSON, through no layer, through 5, 15 and 50 trivial middlewares (<c>app.Use</c>, calling next), through
/// as many trivial endpoint filters, and through one middleware of the kinds that are expensive: one that writes a
/// line to a file and flushes it to disk, blocking, and one that buffers the response to inspect it.
/// </summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    private static readonly string Payload = "{\"items\":[" + string.Join(',', Enumerable.Range(1, 40).Select(i => $"{{\"id\":{i},\"name\":\"item {i}\"}}")) + "]}";
    private readonly List<WebApplication> _hosts = [];
    private readonly Dictionary<string, HttpClient> _clients = [];
    private string _logFile = "";

    [GlobalSetup]
    public async Task StartAsync()
    {
        _logFile = Path.Combine(Path.GetTempPath(), $"layer-benchmarks-{Environment.ProcessId}.log");
        await StartAsync("none", middlewares: 0, filters: 0);
        foreach (var n in new[] { 5, 15, 50 })
        {
            await StartAsync($"m{n}", middlewares: n, filters: 0);
            await StartAsync($"f{n}", middlewares: 0, filters: n);
        }
        await StartAsync("file", 0, 0, app => app.Use(async (context, next) =>
        {
            // The request log of lab 01 before its fix: a line, written and flushed to disk, on the request's thread.
            using (var file = new FileStream(_logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                var line = Encoding.UTF8.GetBytes($"{DateTime.UtcNow:O} {context.Request.Method} {context.Request.Path}\n");
                file.Write(line);
                file.Flush(flushToDisk: true);
            }
            await next(context);
        }));
        await StartAsync("buffer", 0, 0, app => app.Use(async (context, next) =>
        {
            // A response inspected before it is sent: the whole body held in memory, then copied out.
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            buffer.Position = 0;
            await buffer.CopyToAsync(original);
        }));
        foreach (var client in _clients.Values) await client.GetStringAsync(new Uri("/items", UriKind.Relative)); // a connection open
    }

    [Benchmark(Baseline = true, Description = "no layer")]
    public Task<string> None() => GetAsync("none");

    [Benchmark(Description = "5 middlewares")]
    public Task<string> Middlewares5() => GetAsync("m5");

    [Benchmark(Description = "15 middlewares")]
    public Task<string> Middlewares15() => GetAsync("m15");

    [Benchmark(Description = "50 middlewares")]
    public Task<string> Middlewares50() => GetAsync("m50");

    [Benchmark(Description = "5 endpoint filters")]
    public Task<string> Filters5() => GetAsync("f5");

    [Benchmark(Description = "15 endpoint filters")]
    public Task<string> Filters15() => GetAsync("f15");

    [Benchmark(Description = "50 endpoint filters")]
    public Task<string> Filters50() => GetAsync("f50");

    [Benchmark(Description = "1 middleware: a log line flushed to disk")]
    public Task<string> FlushedFile() => GetAsync("file");

    [Benchmark(Description = "1 middleware: the response buffered")]
    public Task<string> BufferedResponse() => GetAsync("buffer");

    private Task<string> GetAsync(string host) => _clients[host].GetStringAsync(new Uri("/items", UriKind.Relative));

    private async Task StartAsync(string name, int middlewares, int filters, Action<WebApplication>? extra = null)
    {
        var app = Loopback.CreateSlimBuilder().Build();
        extra?.Invoke(app);
        for (var i = 0; i < middlewares; i++) app.Use((context, next) => next(context));
        var endpoint = app.MapGet("/items", () => Results.Content(Payload, "application/json"));
        for (var i = 0; i < filters; i++) endpoint.AddEndpointFilter((context, next) => next(context));
        await app.StartAsync();
        _hosts.Add(app);
        _clients[name] = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = app.Services.BoundAddress() };
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        foreach (var host in _hosts) await host.DisposeAsync();
        File.Delete(_logFile);
    }
}
