package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pshmem.tests.MisuseJob;
import org.pshmem.tests.MisuseScenarios;

/**
 * Every case of {@link MisuseScenarios}, the battery the mpj transport passes, each in an {@code mpirun} launch of
 * its own on 3 ranks: one node, and 2 simulated nodes (uneven, by the node setting). The job must end with a
 * non-zero status, its output holding every text the case expects (the calls and the ranks named). The timeout
 * is a safety net against a hang, not a measure of speed.
 */
class MpiMisuseTest
{
    private static final long SAFETY_NET_SECONDS = 180;
    private static final List<List<String>> LAYOUTS = List.of(List.of(), List.of("-Dpshmem.node=n0,n0,n1"));

    static Stream<Arguments> cases()
    {
        return LAYOUTS.stream().flatMap(layout -> MisuseScenarios.all().keySet().stream()
            .map(name -> Arguments.of(name, layout)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyRankEndsWithTheCallsNamed(final String name, final List<String> layout) throws Exception
    {
        final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
        jvm.addAll(layout);
        final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np", "3"));
        command.addAll(MpiRun.java(MisuseJob.class, jvm, name));
        final MpiRun.Result result = MpiRun.run(command, SAFETY_NET_SECONDS, "misuse-" + name);
        assertTrue(result.output().contains(MisuseJob.START), result.output());
        assertNotEquals(0, result.exitCode(), result.output());
        for (final String expected : MisuseScenarios.all().get(name).expected())
        {
            assertTrue(result.output().contains(expected), "expected '" + expected + "' in: " + result.output());
        }
    }
}
