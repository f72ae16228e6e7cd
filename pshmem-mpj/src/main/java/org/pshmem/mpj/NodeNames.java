package org.pshmem.mpj;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Setting;

/**
 * Which node a rank is on. By default the host's processor name; the system property {@value #PROPERTY}
 * or the environment variable {@value #ENV} override it, so one machine can act as several nodes: either one
 * name for every rank, or a comma-separated list whose entry {@code r} is world rank {@code r}'s node.
 */
final class NodeNames
{
    static final String PROPERTY = "pshmem.node";
    static final String ENV = "PSHMEM_NODE";
    private static final int MAX_BYTES = 256;

    private NodeNames()
    {
    }

    /**
     * @param worldRank this rank in the world.
     * @param hostName  the name to use when no override is set.
     * @return this rank's node name.
     */
    static String resolve(final int worldRank, final String hostName)
    {
        final String setting = Setting.NODE.explicitValue().orElse(null);
        if (null == setting)
        {
            return hostName;
        }
        final String[] names = setting.split(",");
        if (names.length == 1)
        {
            return names[0].trim();
        }
        if (worldRank >= names.length)
        {
            throw new IllegalArgumentException(PROPERTY + " lists " + names.length + " node names, but world rank " +
                worldRank + " needs entry " + worldRank);
        }
        return names[worldRank].trim();
    }

    /**
     * Collective: every member's node name, in rank order.
     */
    static List<String> gather(final CommEndpoint ep, final String mine)
    {
        final byte[] bytes = Arrays.copyOf(mine.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
        final byte[] all = new byte[MAX_BYTES * ep.size()];
        ep.allGather(bytes, MAX_BYTES, all);
        final List<String> names = new ArrayList<>();
        for (int r = 0; r < ep.size(); r++)
        {
            int end = r * MAX_BYTES;
            while (end < (r + 1) * MAX_BYTES && all[end] != 0)
            {
                end++;
            }
            names.add(new String(all, r * MAX_BYTES, end - r * MAX_BYTES, StandardCharsets.UTF_8));
        }
        return names;
    }
}
