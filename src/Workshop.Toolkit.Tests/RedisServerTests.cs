using Workshop.Toolkit.Processes;
using System.Net.Sockets;

namespace Workshop.Toolkit.Tests;

/// <summary>Debian's redis-server as the toolkit starts it: on loopback, storing nothing, killed and back on the same port.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public async Task RedisServer_KilledThenRestarted_RefusesThenAnswersOnTheSamePortEmpty()
    {
        // Arrange
        await using var redis = await RedisServer.StartAsync();
        var set = await redis.CommandAsync(CancellationToken.None, "SET", "lab", "08");
        var pid = redis.ProcessId;

        // Act
        await redis.KillAsync();
        var whileDown = async () => await redis.CommandAsync(CancellationToken.None, "PING");
        await whileDown.Should().ThrowAsync<SocketException>("a killed store refuses connections");
        await redis.RestartAsync();
        var after = await redis.CommandAsync(CancellationToken.None, "EXISTS", "lab");

        // Assert
        set.Should().Be("+OK");
        redis.Endpoint.Should().Be($"127.0.0.1:{redis.Port}");
        redis.ProcessId.Should().NotBeNull().And.NotBe(pid, "a new process serves the same port");
        after.Should().Be(":0", "the store keeps nothing across a restart");
    }

    [Fact]
    public async Task RedisServer_Disposed_LeavesNoProcessAndNoListener()
    {
        // Arrange
        var redis = await RedisServer.StartAsync();
        var pid = redis.ProcessId!.Value;
        var port = redis.Port;

        // Act
        await redis.DisposeAsync();

        // Assert
        File.Exists($"/proc/{pid}/stat").Should().BeFalse("redis-server (pid {0}) stops with its owner", pid);
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync("127.0.0.1", port);
        await connect.Should().ThrowAsync<SocketException>("nothing listens on port {0} any more", port);
    }
}
