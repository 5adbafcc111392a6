using System.Net.Sockets;
using Workshop.Toolkit.Processes;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// Debian's rabbitmq-server as the toolkit starts it: its own epmd, every port on loopback, synced to disk, killed and
/// back on the same port, and nothing left once disposed. One test: a broker's boot takes seconds. It measures no time,
/// so it runs beside the other slow tests.
/// </summary>
[Trait("Schedule", "Beside")]
public sealed class RabbitMqServerTests
{
    [Fact]
    public async Task RabbitMqServer_KilledRestartedThenDisposed_RefusesAnswersAgainAndLeavesNothing()
    {
        // Arrange
        var broker = await RabbitMqServer.StartAsync();
        int[] first = [broker.ProcessId!.Value, broker.EpmdProcessId!.Value];
        var answeredAtStart = await broker.AnswersAmqpAsync();

        // Act: what it holds in memory synced to disk (rabbitmqctl reaching the node by its cookie and epmd), then killed.
        await broker.SyncToDiskAsync();
        await broker.KillAsync();
        var answeredWhileDown = await broker.AnswersAmqpAsync();
        await broker.RestartAsync();
        var answeredAfterRestart = await broker.AnswersAmqpAsync();
        int[] second = [broker.ProcessId!.Value, broker.EpmdProcessId!.Value];
        var port = broker.Port;
        await broker.DisposeAsync();

        // Assert
        answeredAtStart.Should().BeTrue("a started broker answers the AMQP 0-9-1 header on 127.0.0.1:{0}", port);
        answeredWhileDown.Should().BeFalse("a killed broker answers nothing");
        answeredAfterRestart.Should().BeTrue("the broker is back on the same port after a restart");
        broker.AmqpUri.ToString().Should().Be($"amqp://guest:guest@127.0.0.1:{port}/");
        first.Concat(second).Where(pid => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal))
            .Should().BeEmpty("the broker and its epmd (pids {0}) stop with their owner", string.Join(", ", first.Concat(second)));
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync("127.0.0.1", port);
        await connect.Should().ThrowAsync<SocketException>("nothing listens on port {0} any more", port);
    }
}
