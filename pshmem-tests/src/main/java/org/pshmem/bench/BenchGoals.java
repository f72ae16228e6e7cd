package org.pshmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Prints each figure of a {@code ./pshmem bench} run beside its goal, with {@code met} or {@code not met} and by how
 * much. A goal is either a fixed bound (a ratio to a baseline of the same run, a count, a rate) or a multiple of the
 * Python peer's figure (upstream pshmem on MPI), which is judged only when the peer's output of the same sitting is
 * given: figures of two sittings, or two machines, do not compare.
 *
 * <p>Usage: {@code BenchGoals OURS [PEER]}, each a file of {@code name value unit} lines as the bench and the peer
 * print them; the first line of a name counts (the lines of {@code --scale} repeat names with a rank count).
 */
public final class BenchGoals
{
    /** Which way a figure must lie from its bound. */
    enum Direction
    {
        AT_LEAST(">="),
        AT_MOST("<=");

        private final String sign;

        Direction(final String sign)
        {
            this.sign = sign;
        }

        boolean holds(final double value, final double bound)
        {
            return this == AT_LEAST ? value >= bound : value <= bound;
        }
    }

    /**
     * One goal.
     *
     * @param figure    the figure's name as the bench prints it.
     * @param direction at least or at most.
     * @param bound     the bound, or the multiple of the peer's figure when {@code ofPeer}.
     * @param ofPeer    true when the bound is {@code bound} times a figure of the peer.
     * @param peerFigure the peer's figure it is judged against, when {@code ofPeer}: usually the same name.
     * @param issue     the issue that set it, for the reader.
     */
    record Goal(String figure, Direction direction, double bound, boolean ofPeer, String peerFigure, String issue)
    {
        Goal(final String figure, final Direction direction, final double bound, final boolean ofPeer,
            final String issue)
        {
            this(figure, direction, bound, ofPeer, figure, issue);
        }

        String describe()
        {
            return direction.sign + " " + (ofPeer ? (bound == 1 ? "" : format(bound) + " x ") + "the peer" :
                format(bound));
        }
    }

    /** The goals, in the order printed. */
    static final List<Goal> GOALS = List.of(
        new Goal("set_small_us", Direction.AT_MOST, 0.5, true, "15"),
        new Goal("set_large_8MiB_GBps/memcpy_GBps", Direction.AT_LEAST, 0.7, false, "15"),
        new Goal("read_sum_GBps_per_rank", Direction.AT_LEAST, 1, true, "15"),
        new Goal("read_sum_reduction_GBps_per_rank", Direction.AT_LEAST, 1, true, "read_sum_GBps_per_rank", "15"),
        new Goal("jmh_viewSum/plainArraySum", Direction.AT_LEAST, 0.9, false, "15"),
        new Goal("jmh_sumRegion/plainArraySum", Direction.AT_LEAST, 0.9, false, "15"),
        new Goal("jmh_getFlatSum/plainArraySum", Direction.AT_LEAST, 0.95, false, "15"),
        new Goal("lock_acq_per_s", Direction.AT_LEAST, 5, true, "11"),
        new Goal("batch_tasks_per_s", Direction.AT_LEAST, 50, true, "11"),
        new Goal("alloc_free_per_s", Direction.AT_LEAST, 20_000, false, "14"),
        new Goal("alloc_free_per_s", Direction.AT_LEAST, 1, true, "11"),
        new Goal("memory_copies_per_node", Direction.AT_MOST, 1.05, false, "15"),
        new Goal("memory_copies_per_node_segments", Direction.AT_MOST, 1.05, false, "15"),
        new Goal("barrier_wait_cores", Direction.AT_MOST, 0.02, false, "15"));

    /** Why a goal is missed when it is, as measured so far (docs/benchmarks.md has the figures), by figure. */
    static final Map<String, String> WHY_MISSED = Map.of(
        "set_small_us", "a small set() waits for every rank at one barrier in node memory: with more ranks than " +
            "cores that is waiting for processes to be scheduled (one rank: about 6 us)",
        "set_large_8MiB_GBps/memcpy_GBps", "each set() first waits for every rank: with more ranks than cores, " +
            "ranks off a core delay the writer, which an 8 MiB copy (under 1 ms) does not hide",
        "read_sum_GBps_per_rank", "with more ranks than cores each rank reads with part of a core; " +
            "read_sum_reduction (sum(Region)) is the faster read",
        "barrier_wait_cores", "the figure's line splits it by thread: the JIT compiler compiling code that ran " +
            "before the wait counts; the library's own are the waiting thread and pshmem's (the watchdog)",
        "memory_copies_per_node", "whole-process Pss also counts what each JVM grows by meanwhile (heap, " +
            "compiled code, MPJ's buffers), more with more ranks; memory_copies_per_node_segments counts the " +
            "array's segments alone");

    private BenchGoals()
    {
    }

    /**
     * Prints the goals of the figures in {@code args[0]}, judged against the peer's in {@code args[1]} if given.
     *
     * @param args our bench output, and optionally the peer's.
     * @throws IOException when a file cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 1 || args.length > 2)
        {
            System.err.println("usage: BenchGoals OURS [PEER]");
            System.exit(2);
        }
        final Map<String, Double> ours = figures(Files.readAllLines(Path.of(args[0])));
        final Optional<Map<String, Double>> peer = args.length == 2 ?
            Optional.of(figures(Files.readAllLines(Path.of(args[1])))) : Optional.empty();
        report(ours, peer).forEach(System.out::println);
    }

    /** @return the first value of each name in lines of the form {@code name value unit...}. */
    static Map<String, Double> figures(final List<String> lines)
    {
        final Map<String, Double> figures = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].matches("[a-zA-Z_][a-zA-Z0-9_/]*"))
            {
                try
                {
                    figures.putIfAbsent(fields[0], Double.parseDouble(fields[1]));
                }
                catch (final NumberFormatException ex)
                {
                    // not a figure line
                }
            }
        }
        return figures;
    }

    /** @return one line per goal: figure, value, goal, and {@code met}, {@code not met} or why it is not judged;
     *  after a goal not met, a line saying why when that is known ({@link #WHY_MISSED}). */
    static List<String> report(final Map<String, Double> ours, final Optional<Map<String, Double>> peer)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("goals" + (peer.isPresent() ? " (peer measured in this sitting)" :
            " (peer not measured: goals against it are not judged; see docs/benchmarks.md for --peer)"));
        for (final Goal goal : GOALS)
        {
            final Double value = ours.get(goal.figure());
            final String head = String.format(Locale.ROOT, "  %-32s %-10s goal %-22s ", goal.figure(),
                null == value ? "-" : format(value), goal.describe());
            if (null == value)
            {
                lines.add(head + "not measured in this run");
                continue;
            }
            double bound = goal.bound();
            String against = "";
            if (goal.ofPeer())
            {
                final Double theirs = peer.map(p -> p.get(goal.peerFigure())).orElse(null);
                if (null == theirs)
                {
                    lines.add(head + (peer.isPresent() ? "the peer printed no such figure" : "peer not measured"));
                    continue;
                }
                bound = goal.bound() * theirs;
                against = " (peer " + format(theirs) + ", bound " + format(bound) + ")";
            }
            final boolean met = goal.direction().holds(value, bound);
            lines.add(head + (met ? "met" : "not met, by " + format(Math.abs(value - bound))) + against);
            if (!met && WHY_MISSED.containsKey(goal.figure()))
            {
                lines.add("    why: " + WHY_MISSED.get(goal.figure()));
            }
        }
        return lines;
    }

    private static String format(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return Double.toString(value);
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros()
            .toPlainString();
    }
}
