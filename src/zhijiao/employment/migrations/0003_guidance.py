import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('employment', '0002_reference_data'),
        ('identity', '0004_more_roles'),
        ('resources', '0002_reference_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CareerCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='title')),
                ('body', models.TextField(verbose_name='story')),
                ('state', models.CharField(choices=[('held', 'Held for staff review'), ('published', 'Published'), ('rejected', 'Rejected by staff')], default='held', max_length=16, verbose_name='state')),
                ('screening_flags', models.JSONField(blank=True, default=list)),
                ('review_note', models.CharField(blank=True, max_length=500, verbose_name='staff note')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('occupation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='employment.occupation', verbose_name='occupation')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='identity.organisation', verbose_name='organisation')),
            ],
            options={
                'verbose_name': 'career case',
                'ordering': ['-published_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='GuidanceCourse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='title')),
                ('kind', models.CharField(choices=[('live', 'Live lesson (直播)'), ('recorded', 'Recorded course')], default='recorded', max_length=16, verbose_name='kind')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('starts_at', models.DateTimeField(blank=True, null=True, verbose_name='starts')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='identity.organisation', verbose_name='organisation')),
                ('resource', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='resources.resource', verbose_name='resource')),
            ],
            options={
                'verbose_name': 'guidance course',
                'ordering': ['-starts_at', '-id'],
            },
        ),
    ]
