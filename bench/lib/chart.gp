# Chart of the main ratios (vs node->node) for README/docs: run-bench calls
#   gnuplot -e "datafile='...'; outfile='...'; subtitle='...'" chart.gp
set terminal pngcairo size 1100,520 font "DejaVu Sans,10"
set output outfile
set title "podlane: each path relative to node→node (1.0 = the uplink ceiling), median of interleaved rounds\n{/*0.85 ".subtitle."}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set ylabel "ratio vs node→node"
set xtics rotate by -20 scale 0
set key outside right top vertical
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 1.5 dt 2 lc rgb "#444444"
plot datafile using 2:xtic(1) title "TCP 1 stream" lc rgb "#1f77b4", \
     '' using 3 title "TCP 4 streams" lc rgb "#aec7e8", \
     '' using 4 title "transactions/s" lc rgb "#ff7f0e", \
     '' using 5 title "connections/s" lc rgb "#2ca02c"
