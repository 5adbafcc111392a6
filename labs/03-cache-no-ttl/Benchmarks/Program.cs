using BenchmarkDotNet.Running;

namespace Lab03.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/03-cache-no-ttl/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
