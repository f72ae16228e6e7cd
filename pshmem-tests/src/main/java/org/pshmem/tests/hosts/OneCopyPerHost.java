package org.pshmem.tests.hosts;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.pshmem.tests.Expect;

/**
 * The test's check of what the host probes printed: every host is one node, its ranks map one copy of the array,
 * and no segment is mapped on two hosts.
 */
public final class OneCopyPerHost
{
    private final Map<String, Set<String>> nodesByHost = new TreeMap<>();
    private final Map<String, Set<String>> segmentsByHost = new TreeMap<>();

    /**
     * Notes what one rank printed.
     *
     * @param host     the rank's host.
     * @param node     its node index.
     * @param segments the segments it maps, comma-separated ({@link ProbeRank#mappedSegments}).
     */
    public void add(final String host, final String node, final String segments)
    {
        nodesByHost.computeIfAbsent(host, h -> new TreeSet<>()).add(node);
        segmentsByHost.computeIfAbsent(host, h -> new TreeSet<>()).add(segments);
    }

    /**
     * Checks what the ranks printed.
     *
     * @param hosts the hosts, each of which must have ranks.
     * @param job   the job, described for failure messages.
     * @throws AssertionError when a host is not one node, its ranks map different segments, or two hosts map
     *                        one segment.
     */
    public void check(final List<String> hosts, final String job)
    {
        final Set<String> allSegments = new TreeSet<>();
        for (final String host : hosts)
        {
            Expect.equal(1, nodesByHost.get(host).size(), "one node index per host: " + nodesByHost + "\n" + job);
            Expect.equal(1, segmentsByHost.get(host).size(), "both ranks of " + host +
                " map the same segment (one copy per host): " + segmentsByHost + "\n" + job);
            for (final String segment : segmentsByHost.get(host).iterator().next().split(","))
            {
                Expect.isTrue(allSegments.add(segment), "segment " + segment + " mapped on one host only: " +
                    segmentsByHost);
            }
        }
        Expect.equal((long)hosts.size(), nodesByHost.values().stream().flatMap(Set::stream).distinct().count(),
            "distinct node indexes: " + nodesByHost);
    }
}
