// The diagnosis of lab 08, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/08-limit-per-replica/diagnose.cs
// (from the repository root, with Debian's redis-server installed: tools/setup.sh). Each step prints the command that
// does the same by hand, then what it printed; the transcript and figures.json land in artifacts/diagnosis/08/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Globalization;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

await using var run = Diagnosis.Begin("08");
// One caller's limit: a burst of 60, and one token a second, so a flood of a few seconds is judged by the burst.
(string, string)[] knobs = [("Lab:Burst", "60"), ("Lab:TokensPerSecond", "1"), ("Lab:WorkFactor", "1")];
var proxyProject = Path.Combine(run.Lab.Directory, "Proxy", "Lab08.Proxy.csproj");

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    foreach (var replicas in new[] { 3, 6 })
    {
        run.Step($"{variant}, {replicas} replicas behind the proxy: one caller's 600 lookups, 20 at a time{(replicas == 3 ? "; then one that renames itself on every request, and one with a made-up key" : "")}");
        await using var redis = await RedisServer.StartAsync();
        run.Say($"$ redis-server --port {redis.Port} --bind 127.0.0.1 --save '' &");
        var started = new List<LabService>();
        for (var i = 0; i < replicas; i++)
        {
            started.Add(await run.StartAsync(variant, [.. knobs, ("Lab:Redis", redis.Endpoint), ("Lab:Replicas", replicas.ToString(CultureInfo.InvariantCulture))]));
        }
        var urls = string.Join(',', started.Select(s => s.BaseAddress.ToString().TrimEnd('/')));
        await using var proxy = await LabService.StartProjectAsync(proxyProject, run.Lab.Name, "Proxy", new Dictionary<string, string> { ["Proxy:Replicas"] = urls });
        run.Say($"$ dotnet Lab08.Proxy.dll --urls {proxy.BaseAddress.ToString().TrimEnd('/')} --Proxy:Replicas={urls} &");

        var flood = await run.LoadAsync(proxy, i => Lookup(i, "lab08-batch-job-key", "batch-job"), 600, 20,
            $"hey -n 600 -c 20 -H 'X-Api-Key: lab08-batch-job-key' -H 'X-Client-Id: batch-job' {proxy.BaseAddress}api/users/1");
        run.Figure($"{v}_r{replicas}_admitted", flood.Count("200"));
        if (replicas != 3)
        {
            foreach (var s in started) await s.DisposeAsync();
            continue;
        }

        var renamed = await run.LoadAsync(proxy, i => Lookup(i, "lab08-partner-key", $"partner-{i}"), 600, 20,
            $"seq 600 | xargs -P 20 -I{{}} curl -s -o /dev/null -w '%{{http_code}}\\n' -H 'X-Api-Key: lab08-partner-key' -H 'X-Client-Id: partner-{{}}' {proxy.BaseAddress}api/users/1 | sort | uniq -c");
        run.Figure($"{v}_renamed_admitted", renamed.Count("200"));
        await run.CurlAsync(proxy, HttpMethod.Get, "/api/users/5", headers: new Dictionary<string, string> { ["X-Api-Key"] = "made-up", ["X-Client-Id"] = "web-shop" }, showStatus: true);
        run.Figure($"{v}_madeup_status", run.LastStatus);

        run.Step($"{variant}: Redis killed, then a third caller's 600 lookups");
        await redis.KillAsync();
        run.Say($"$ kill -9 {"$(pgrep -f 'redis-server 127.0.0.1:" + redis.Port + "')"}");
        var down = await run.LoadAsync(proxy, i => Lookup(i, "lab08-web-shop-key", "web-shop"), 600, 20,
            $"hey -n 600 -c 20 -H 'X-Api-Key: lab08-web-shop-key' {proxy.BaseAddress}api/users/1");
        run.Figure($"{v}_redis_down_admitted", down.Count("200"));
        run.Figure($"{v}_redis_down_5xx", down.ByStatus.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value));
        foreach (var s in started) await s.DisposeAsync();
    }
}

static HttpRequestMessage Lookup(long i, string key, string clientId) =>
    new(HttpMethod.Get, $"/api/users/{1 + i % 9}") { Headers = { { "X-Api-Key", key }, { "X-Client-Id", clientId } } };
