using BenchmarkDotNet.Running;

namespace Lab08.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/08-limit-per-replica/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
